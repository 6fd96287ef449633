using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TransportBrain.Hub.Tests.Cli;

/// <summary>Runs the built `brain` executable in a process of its own, as an operator would, on a data directory.</summary>
internal static partial class BrainCli
{
    /// <summary>
    /// Exit code and output (standard output and error together, compared as text: without the console's styling,
    /// and with its line wrapping undone). <paramref name="rawOutput"/> keeps standard output as written (an export).
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string dataDirectory, params string[] args)
    {
        var (code, stdout, stderr) = await RunRawAsync(dataDirectory, args);
        return (code, Whitespace().Replace(Ansi().Replace(stdout + stderr, ""), " "));
    }

    /// <summary>Exit code, standard output and standard error as the process wrote them.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunRawAsync(string dataDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = System.Text.Encoding.UTF8 };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "brain.dll"));
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(dataDirectory);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("BRAIN_STORE");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true); // not left running with the data directory open
            throw new TimeoutException($"brain {string.Join(' ', args)} did not finish within 2 minutes");
        }
        return (process.ExitCode, await output, await error);
    }

    public static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
