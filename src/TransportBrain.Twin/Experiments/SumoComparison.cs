using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using TransportBrain.Twin.Simulation;

namespace TransportBrain.Twin.Experiments;

/// <summary>Settings of a side-by-side run with SUMO on the same corridor, demand and step length.</summary>
public sealed record SumoComparisonOptions
{
    public double DurationS { get; init; } = 3_600;

    public double StepS { get; init; } = 0.5;

    public ulong Seed { get; init; } = 1;

    public double DemandScale { get; init; } = 1.0;

    /// <summary>Where the generated SUMO files go; a fresh temporary directory when null.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Directory holding the sumo and netconvert executables; the PATH when null.</summary>
    public string? SumoBinDirectory { get; init; }
}

/// <summary>One simulator's figures.</summary>
public sealed record SimulatorRun(string Name, long VehicleSteps, double WallS, int Inserted, int Arrived, string Note)
{
    public double VehicleStepsPerSecond => VehicleSteps / WallS;
}

public sealed record SumoComparisonResult(SimulatorRun OursCold, SimulatorRun OursWarm, SimulatorRun Sumo, double? SumoReportedUps, string SumoVersion, string WorkDirectory)
{
    /// <summary>Our warm vehicle-steps/s over SUMO's (whole process wall time).</summary>
    public double Ratio => OursWarm.VehicleStepsPerSecond / Sumo.VehicleStepsPerSecond;
}

/// <summary>
/// Runs SUMO (the Debian package, 1.15; <c>apt-get install sumo</c>) and our simulator on the benchmark corridor:
/// the SUMO network is generated from our <see cref="Corridor"/> as plain XML (nodes, edges with per-lane speeds and
/// the truck ban on the leftmost lane, explicit lane connections at ramps) and built with netconvert; the demand is
/// the same OD matrix as SUMO flows with Poisson headways and the same class mix as vTypes with the IDM parameters
/// of our classes; both run with the same step. Vehicle-steps for SUMO are the sum over steps of the running
/// vehicles in its summary output; wall time is the sumo process's. Nothing of SUMO is linked or shipped.
/// </summary>
public static class SumoComparison
{
    public static SumoComparisonResult Run(SumoComparisonOptions options, Action<string>? log = null)
    {
        log ??= _ => { };
        var corridor = Scenarios.ThreeLaneWithRamps();
        var demand = Scenarios.ThreeLaneWithRampsDemand(options.DemandScale);
        var dir = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "brain-sumo-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var sumo = Tool(options.SumoBinDirectory, "sumo");
        var netconvert = Tool(options.SumoBinDirectory, "netconvert");

        var (version, _) = Exec(sumo, ["--version"], dir);
        version = version.Split('\n').FirstOrDefault(l => l.Contains("SUMO", StringComparison.Ordinal))?.Trim() ?? "unknown";
        log($"SUMO: {version}; files in {dir}");

        WriteNetwork(corridor, dir);
        var (netOut, netCode) = Exec(netconvert, ["--node-files", "corridor.nod.xml", "--edge-files", "corridor.edg.xml",
            "--connection-files", "corridor.con.xml", "--no-turnarounds", "true", "-o", "corridor.net.xml"], dir);
        if (netCode != 0)
        {
            throw new InvalidOperationException("netconvert failed: " + netOut);
        }
        WriteRoutes(corridor, demand, options.DurationS, dir);

        // Ours first, twice: the first run in a process includes JIT compilation, the second does not.
        var cold = RunOurs(corridor, demand, options, "ours (first run, includes JIT)");
        var warm = RunOurs(corridor, demand, options, "ours (second run)");
        log(FormattableString.Invariant($"ours: {warm.VehicleSteps:N0} vehicle-steps in {warm.WallS:0.000} s"));

        var args = new List<string>
        {
            "-n", "corridor.net.xml", "-r", "corridor.rou.xml", "--begin", "0",
            "--end", options.DurationS.ToString(CultureInfo.InvariantCulture),
            "--step-length", options.StepS.ToString(CultureInfo.InvariantCulture),
            "--seed", (options.Seed % int.MaxValue).ToString(CultureInfo.InvariantCulture),
            "--no-step-log", "true", "--duration-log.statistics", "true", "--no-warnings", "true",
            "--summary-output", "summary.xml",
        };
        var sw = Stopwatch.StartNew();
        var (output, code) = Exec(sumo, args, dir);
        sw.Stop();
        if (code != 0)
        {
            throw new InvalidOperationException("sumo failed: " + output);
        }
        var (vehicleSteps, inserted, arrived) = ReadSummary(Path.Combine(dir, "summary.xml"));
        var ups = Regex.Match(output, @"UPS:\s*([0-9.]+)") is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : (double?)null;
        var teleports = Regex.Match(output, @"Teleports:\s*(\d+)") is { Success: true } t ? t.Groups[1].Value : "0";
        var run = new SimulatorRun("SUMO " + version, vehicleSteps, sw.Elapsed.TotalSeconds, inserted, arrived,
            $"wall time of the sumo process (network and route loading included); teleports {teleports}");
        log(FormattableString.Invariant($"sumo: {vehicleSteps:N0} vehicle-steps in {run.WallS:0.000} s"));
        return new SumoComparisonResult(cold, warm, run, ups, version, dir);
    }

    private static SimulatorRun RunOurs(Corridor corridor, OdMatrix demand, SumoComparisonOptions options, string name)
    {
        var sw = Stopwatch.StartNew();
        var sim = new Simulator(corridor, demand, new SimulationOptions { Seed = options.Seed, StepS = options.StepS });
        sim.RunUntil(options.DurationS);
        sw.Stop();
        var st = sim.Statistics;
        return new SimulatorRun(name, st.VehicleSteps, sw.Elapsed.TotalSeconds, st.Entered, st.Exited, "in-process, wall time of the run");
    }

    private static string Tool(string? binDirectory, string name)
    {
        var candidates = binDirectory is not null
            ? [Path.Combine(binDirectory, name)]
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(p => Path.Combine(p, name))
                .Append(Path.Combine(Environment.GetEnvironmentVariable("SUMO_HOME") ?? "/usr/share/sumo", "bin", name));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"'{name}' not found; install SUMO (Debian: apt-get install -y sumo) or pass its bin directory");
    }

    private static (string Output, int ExitCode) Exec(string exe, IEnumerable<string> args, string workDir)
    {
        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {exe}");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (stdout + stderr.Result, p.ExitCode);
    }

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Key positions: the corridor's ends and the ends of every ramp lane; the edges run between them.</summary>
    private static double[] KeyPoints(Corridor c) =>
        c.OnRamps.SelectMany(r => new[] { r.PositionM, r.PositionM + r.AccelerationLaneM })
            .Concat(c.OffRamps.SelectMany(r => new[] { r.PositionM - r.DecelerationLaneM, r.PositionM }))
            .Append(0).Append(c.LengthM).Distinct().Order().ToArray();

    private static bool HasRampLane(Corridor c, double from, double to)
    {
        var mid = 0.5 * (from + to);
        return c.OnRamps.Any(r => mid > r.PositionM && mid < r.PositionM + r.AccelerationLaneM)
            || c.OffRamps.Any(r => mid > r.PositionM - r.DecelerationLaneM && mid < r.PositionM);
    }

    private static void WriteNetwork(Corridor c, string dir)
    {
        var points = KeyPoints(c);
        var lanes = c.MaxLanes;
        var nodes = new StringBuilder("<nodes>\n");
        for (var i = 0; i < points.Length; i++)
        {
            nodes.Append(CultureInfo.InvariantCulture, $"  <node id=\"n{i}\" x=\"{F(points[i])}\" y=\"0\" type=\"priority\"/>\n");
        }
        for (var r = 0; r < c.OffRamps.Count; r++)
        {
            nodes.Append(CultureInfo.InvariantCulture, $"  <node id=\"offEnd{r}\" x=\"{F(c.OffRamps[r].PositionM + 150)}\" y=\"-150\"/>\n");
        }
        for (var r = 0; r < c.OnRamps.Count; r++)
        {
            nodes.Append(CultureInfo.InvariantCulture, $"  <node id=\"onStart{r}\" x=\"{F(c.OnRamps[r].PositionM - 150)}\" y=\"-150\"/>\n");
        }
        nodes.Append("</nodes>\n");
        File.WriteAllText(Path.Combine(dir, "corridor.nod.xml"), nodes.ToString());

        var edges = new StringBuilder("<edges>\n");
        var cons = new StringBuilder("<connections>\n");
        for (var i = 0; i + 1 < points.Length; i++)
        {
            var aux = HasRampLane(c, points[i], points[i + 1]) ? 1 : 0;
            var link = c.Links[c.LinkIndexAt(0.5 * (points[i] + points[i + 1]))];
            edges.Append(CultureInfo.InvariantCulture, $"  <edge id=\"m{i}\" from=\"n{i}\" to=\"n{i + 1}\" numLanes=\"{lanes + aux}\" speed=\"{F(link.SpeedLimitKmh / 3.6)}\" priority=\"3\">\n");
            for (var lane = 1; lane <= lanes; lane++)
            {
                var speed = link.LimitKmh(lane) / 3.6;
                var ban = lane == lanes && lanes >= 3 ? " disallow=\"truck trailer\"" : "";
                edges.Append(CultureInfo.InvariantCulture, $"    <lane index=\"{lane - 1 + aux}\" speed=\"{F(speed)}\"{ban}/>\n");
            }
            if (aux == 1)
            {
                edges.Append(CultureInfo.InvariantCulture, $"    <lane index=\"0\" speed=\"{F(link.LimitKmh(1) / 3.6)}\"/>\n");
            }
            edges.Append("  </edge>\n");
            if (i + 2 < points.Length)
            {
                var nextAux = HasRampLane(c, points[i + 1], points[i + 2]) ? 1 : 0;
                for (var lane = 0; lane < lanes; lane++)
                {
                    cons.Append(CultureInfo.InvariantCulture, $"  <connection from=\"m{i}\" to=\"m{i + 1}\" fromLane=\"{lane + aux}\" toLane=\"{lane + nextAux}\"/>\n");
                }
            }
        }
        for (var r = 0; r < c.OffRamps.Count; r++)
        {
            var node = Array.IndexOf(points, c.OffRamps[r].PositionM);
            edges.Append(CultureInfo.InvariantCulture, $"  <edge id=\"off{r}\" from=\"n{node}\" to=\"offEnd{r}\" numLanes=\"1\" speed=\"{F(60 / 3.6)}\" priority=\"1\"/>\n");
            cons.Append(CultureInfo.InvariantCulture, $"  <connection from=\"m{node - 1}\" to=\"off{r}\" fromLane=\"0\" toLane=\"0\"/>\n");
        }
        for (var r = 0; r < c.OnRamps.Count; r++)
        {
            var node = Array.IndexOf(points, c.OnRamps[r].PositionM);
            edges.Append(CultureInfo.InvariantCulture, $"  <edge id=\"on{r}\" from=\"onStart{r}\" to=\"n{node}\" numLanes=\"1\" speed=\"{F(c.OnRamps[r].RampSpeedKmh / 3.6)}\" priority=\"1\"/>\n");
            cons.Append(CultureInfo.InvariantCulture, $"  <connection from=\"on{r}\" to=\"m{node}\" fromLane=\"0\" toLane=\"0\"/>\n");
        }
        edges.Append("</edges>\n");
        cons.Append("</connections>\n");
        File.WriteAllText(Path.Combine(dir, "corridor.edg.xml"), edges.ToString());
        File.WriteAllText(Path.Combine(dir, "corridor.con.xml"), cons.ToString());
    }

    private static string SumoClass(VehicleClass c) => c.TollClass switch
    {
        1 => "passenger",
        >= 2 and <= 4 => "coach",
        11 => "delivery",
        _ => "truck",
    };

    private static void WriteRoutes(Corridor c, OdMatrix demand, double durationS, string dir)
    {
        var points = KeyPoints(c);
        var last = $"m{points.Length - 2}";
        var sb = new StringBuilder("<routes>\n");
        var mixes = demand.Flows.Select(f => f.Mix ?? demand.DefaultMix).Distinct().ToList();
        for (var m = 0; m < mixes.Count; m++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  <vTypeDistribution id=\"mix{m}\">\n");
            foreach (var (k, share) in mixes[m].Shares)
            {
                // speedFactor: our drivers' factor is uniform on ±spread; normc with the same mean and deviation.
                var dev = 2 * k.DesiredSpeedSpread / Math.Sqrt(12);
                sb.Append(CultureInfo.InvariantCulture,
                    $"    <vType id=\"{k.Name}-{m}\" vClass=\"{SumoClass(k)}\" length=\"{F(k.LengthM)}\" minGap=\"{F(k.MinGapM)}\" accel=\"{F(k.MaxAccelerationMs2)}\" decel=\"{F(k.ComfortableDecelerationMs2)}\" emergencyDecel=\"9\" sigma=\"0\" tau=\"{F(k.TimeHeadwayS)}\" carFollowModel=\"IDM\" delta=\"4\" maxSpeed=\"{F(k.DesiredSpeedKmh / 3.6 * (1 + k.DesiredSpeedSpread))}\" speedFactor=\"normc(1,{F(dev)},{F(1 - k.DesiredSpeedSpread)},{F(1 + k.DesiredSpeedSpread)})\" laneChangeModel=\"LC2013\" probability=\"{F(share)}\"/>\n");
            }
            sb.Append("  </vTypeDistribution>\n");
        }
        for (var i = 0; i < demand.Flows.Count; i++)
        {
            var f = demand.Flows[i];
            if (f.VehPerHour <= 0)
            {
                continue;
            }
            var from = f.Origin == OdFlow.Mainline ? "m0" : "on" + c.OnRampIndex(f.Origin);
            var to = f.Destination == OdFlow.Mainline ? last : "off" + c.OffRampIndex(f.Destination);
            var mix = mixes.IndexOf(f.Mix ?? demand.DefaultMix);
            sb.Append(CultureInfo.InvariantCulture,
                $"  <flow id=\"od{i}\" type=\"mix{mix}\" begin=\"0\" end=\"{F(durationS)}\" period=\"exp({F(f.VehPerHour / 3600)})\" from=\"{from}\" to=\"{to}\" departLane=\"best\" departSpeed=\"avg\" departPos=\"base\"/>\n");
        }
        sb.Append("</routes>\n");
        File.WriteAllText(Path.Combine(dir, "corridor.rou.xml"), sb.ToString());
    }

    private static (long VehicleSteps, int Inserted, int Arrived) ReadSummary(string path)
    {
        long steps = 0;
        int inserted = 0, arrived = 0;
        using var reader = XmlReader.Create(path);
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Name == "step")
            {
                steps += long.Parse(reader.GetAttribute("running") ?? "0", CultureInfo.InvariantCulture);
                inserted = int.Parse(reader.GetAttribute("inserted") ?? "0", CultureInfo.InvariantCulture);
                arrived = int.Parse(reader.GetAttribute("arrived") ?? reader.GetAttribute("ended") ?? "0", CultureInfo.InvariantCulture);
            }
        }
        return (steps, inserted, arrived);
    }
}
