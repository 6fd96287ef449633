namespace TransportBrain.Twin.Simulation;

/// <summary>A control strategy: observes the simulation after each step and sets speed limits or closures (cloud control).</summary>
public interface IControlStrategy : IStepObserver
{
    string Name { get; }
}

/// <summary>
/// Variable speed limits upstream of an incident, in stages that step the speed down towards it (every lane of the
/// carriageway), switched on once the incident is detected and off when it is cleared. The classic motorway
/// incident-warning VSL; the default stages are 100 km/h from 3 km to 1.5 km upstream, 80 km/h to 0.5 km, 60 km/h
/// over the last 0.5 km.
/// </summary>
public sealed class IncidentSpeedLimits(IReadOnlyList<(double FromUpstreamM, double ToUpstreamM, double LimitKmh)>? stages = null, double detectionDelayS = 60) : IControlStrategy
{
    private readonly IReadOnlyList<(double FromUpstreamM, double ToUpstreamM, double LimitKmh)> _stages = stages ?? [(3_000, 1_500, 100), (1_500, 500, 80), (500, 0, 60)];
    private readonly Dictionary<Incident, int[]> _applied = [];

    public string Name => "vsl";

    public void OnStep(Simulator simulator)
    {
        var t = simulator.TimeS;
        foreach (var incident in simulator.Incidents)
        {
            var active = t >= incident.StartS + detectionDelayS && t < incident.EndS;
            if (active && !_applied.ContainsKey(incident))
            {
                _applied[incident] = _stages
                    .Where(s => incident.PositionM - s.FromUpstreamM < incident.PositionM - s.ToUpstreamM)
                    .Select(s => simulator.SetSpeedLimit(-1, Math.Max(0, incident.PositionM - s.FromUpstreamM), incident.PositionM - s.ToUpstreamM, s.LimitKmh))
                    .ToArray();
            }
            else if (!active && t >= incident.EndS && _applied.Remove(incident, out var ids))
            {
                foreach (var id in ids)
                {
                    simulator.ClearSpeedLimit(id);
                }
            }
        }
    }
}

/// <summary>
/// Early merge: once an incident is detected, the blocked lanes are closed (lane-control signals "×") from
/// <paramref name="distanceM"/> upstream of it, so drivers merge while still moving instead of queueing at the
/// obstacle; the closure is lifted when the incident is cleared.
/// </summary>
public sealed class EarlyMerge(double distanceM = 1_000, double detectionDelayS = 60) : IControlStrategy
{
    private readonly Dictionary<Incident, int[]> _applied = [];

    public string Name => "early-merge";

    public void OnStep(Simulator simulator)
    {
        var t = simulator.TimeS;
        foreach (var incident in simulator.Incidents)
        {
            var active = t >= incident.StartS + detectionDelayS && t < incident.EndS;
            if (active && !_applied.ContainsKey(incident))
            {
                var from = Math.Max(0, incident.PositionM - distanceM);
                _applied[incident] = incident.Lanes.Select(l => simulator.CloseLane(l, from, incident.PositionM)).ToArray();
            }
            else if (!active && t >= incident.EndS && _applied.Remove(incident, out var ids))
            {
                foreach (var id in ids)
                {
                    simulator.ReopenLane(id);
                }
            }
        }
    }
}

/// <summary>Several strategies at once.</summary>
public sealed class CombinedStrategy(params IControlStrategy[] parts) : IControlStrategy
{
    public string Name => string.Join("+", parts.Select(p => p.Name));

    public void OnStep(Simulator simulator)
    {
        foreach (var p in parts)
        {
            p.OnStep(simulator);
        }
    }
}
