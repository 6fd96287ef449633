namespace TransportBrain.Fleet.Supervision;

/// <summary>
/// A planned route (e.g. the approved route of a dangerous-goods waybill) as a corridor of
/// <see cref="CorridorWidthM"/> metres, half on each side of the polyline.
/// </summary>
/// <param name="ValidFrom">Inclusive; null: open.</param>
/// <param name="ValidTo">Exclusive; null: open.</param>
public sealed record RoutePlan(
    string TerminalId,
    IReadOnlyList<(double Lat, double Lon)> Polyline,
    double CorridorWidthM,
    DateTimeOffset? ValidFrom = null,
    DateTimeOffset? ValidTo = null)
{
    public bool IsValidAt(DateTimeOffset time) =>
        (ValidFrom is null || time >= ValidFrom) && (ValidTo is null || time < ValidTo);

    /// <summary>Distance in metres from the point to the route's centre line.</summary>
    public double DistanceToRouteM(double latitude, double longitude) => Geo.DistanceToPolylineM(latitude, longitude, Polyline);

    public bool IsInCorridor(double latitude, double longitude) => DistanceToRouteM(latitude, longitude) <= CorridorWidthM / 2;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(TerminalId))
        {
            throw new ArgumentException("A route plan needs a non-blank TerminalId.");
        }

        if (ValidFrom is { } from && ValidTo is { } to && to <= from)
        {
            throw new ArgumentException($"Route plan for '{TerminalId}': ValidTo must be after ValidFrom.");
        }

        _ = new GeoCorridor(Polyline, CorridorWidthM); // checks the vertices and the width
    }
}

/// <summary>
/// Planned route corridors per terminal, changeable at runtime (on the engine's thread). A fix is
/// on route when it is inside the corridor of any plan valid at its time.
/// </summary>
public sealed class RoutePlanSet
{
    private readonly Dictionary<string, List<RoutePlan>> _byTerminal = new(StringComparer.Ordinal);

    public int Count { get; private set; }

    public void Add(RoutePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Validate();
        if (!_byTerminal.TryGetValue(plan.TerminalId, out var plans))
        {
            _byTerminal[plan.TerminalId] = plans = [];
        }

        plans.Add(plan);
        Count++;
    }

    /// <summary>Replaces every plan of the plan's terminal with this one.</summary>
    public void Set(RoutePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        plan.Validate();
        RemoveAll(plan.TerminalId);
        Add(plan);
    }

    public bool Remove(RoutePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (_byTerminal.TryGetValue(plan.TerminalId, out var plans) && plans.Remove(plan))
        {
            Count--;
            if (plans.Count == 0)
            {
                _byTerminal.Remove(plan.TerminalId);
            }

            return true;
        }

        return false;
    }

    public int RemoveAll(string terminalId)
    {
        if (!_byTerminal.Remove(terminalId, out var plans))
        {
            return 0;
        }

        Count -= plans.Count;
        return plans.Count;
    }

    public IReadOnlyList<RoutePlan> For(string terminalId) =>
        _byTerminal.TryGetValue(terminalId, out var plans) ? plans : [];
}
