using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace TransportBrain.Benchmarks;

/// <summary>
/// Runs a benchmark under the runtime settings `brain` itself runs with (TransportBrain.Host.csproj:
/// server GC with .NET's dynamic adaptation (DATAS), thread-pool workers that do not spin for work)
/// instead of BenchmarkDotNet's defaults (workstation GC, spinning workers): import throughput depends
/// on both.
/// </summary>
public sealed class PlatformRuntimeConfig : ManualConfig
{
    public PlatformRuntimeConfig() =>
        AddJob(Job.Default
            .WithGcServer(true)
            .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit", "0"))
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8));
}
