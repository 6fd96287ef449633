using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace TransportBrain.Benchmarks;

/// <summary>
/// Runs a benchmark under the garbage collector `brain` itself runs with (server GC without DATAS, set in
/// TransportBrain.Host.csproj), instead of BenchmarkDotNet's default workstation GC: import throughput
/// depends on it (a gen0 budget too small to hold the chunks in flight promotes every one of them).
/// </summary>
public sealed class PlatformGcConfig : ManualConfig
{
    public PlatformGcConfig() =>
        AddJob(Job.Default
            .WithGcServer(true)
            .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_GCDynamicAdaptationMode", "0"))
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(8));
}
