using TransportBrain.Highway.Network;

namespace TransportBrain.Twin.Simulation;

/// <summary>
/// One link of a corridor: a stretch of one carriageway of a route with a constant number of mainline lanes.
/// Stakes follow the route (K123+400 = 123,400 m); direction 1 (上行) runs with increasing stake, direction 2 (下行)
/// against it, as in <see cref="TransportBrain.Highway.Network.RouteInfo"/>.
/// </summary>
public sealed record CorridorLink
{
    public required string RouteCode { get; init; }

    /// <summary>1 = with increasing stake, 2 = with decreasing stake.</summary>
    public required int Direction { get; init; }

    /// <summary>Stake (metres along the route) where the link starts, in the direction of travel.</summary>
    public required double FromStakeM { get; init; }

    public required double LengthM { get; init; }

    /// <summary>Mainline lanes (the ramp lanes come from <see cref="OnRamp"/> and <see cref="OffRamp"/>).</summary>
    public required int Lanes { get; init; }

    /// <summary>Posted limit for every lane unless <see cref="LaneSpeedLimitsKmh"/> says otherwise, km/h.</summary>
    public required double SpeedLimitKmh { get; init; }

    /// <summary>Optional posted limit per mainline lane, rightmost (lane 1) first, km/h.</summary>
    public IReadOnlyList<double>? LaneSpeedLimitsKmh { get; init; }

    /// <summary>Stake at the link's end.</summary>
    public double ToStakeM => Direction == 2 ? FromStakeM - LengthM : FromStakeM + LengthM;

    /// <summary>The posted limit of mainline lane <paramref name="lane"/> (1 = rightmost), km/h.</summary>
    public double LimitKmh(int lane) =>
        LaneSpeedLimitsKmh is { } perLane && lane - 1 < perLane.Count ? perLane[lane - 1] : SpeedLimitKmh;
}

/// <summary>An on-ramp: vehicles enter on an acceleration lane (lane 0) starting at <see cref="PositionM"/>.</summary>
public sealed record OnRamp(string Name, double PositionM, double AccelerationLaneM, double RampSpeedKmh = 60);

/// <summary>
/// An off-ramp: a deceleration lane (lane 0) of <see cref="DecelerationLaneM"/> ends at <see cref="PositionM"/>,
/// where the vehicles bound for the ramp leave the corridor.
/// </summary>
public sealed record OffRamp(string Name, double PositionM, double DecelerationLaneM);

/// <summary>
/// A directed highway corridor: consecutive links of one carriageway with on- and off-ramps. Positions inside the
/// simulation are metres from the corridor's upstream end (x); <see cref="StakeAt"/> and <see cref="PositionAt"/>
/// convert to and from route stakes. Lane 0 is the auxiliary (ramp) lane, present only along acceleration and
/// deceleration lanes; mainline lanes are numbered 1 (rightmost, slow) to <see cref="MaxLanes"/> (leftmost, fast).
/// </summary>
public sealed class Corridor
{
    private readonly double[] _linkStartM;

    public Corridor(string name, IReadOnlyList<CorridorLink> links, IReadOnlyList<OnRamp>? onRamps = null, IReadOnlyList<OffRamp>? offRamps = null)
    {
        if (links.Count == 0)
        {
            throw new ArgumentException("a corridor needs at least one link", nameof(links));
        }
        Name = name;
        Links = links;
        OnRamps = onRamps ?? [];
        OffRamps = offRamps ?? [];
        _linkStartM = new double[links.Count];
        double x = 0;
        for (var i = 0; i < links.Count; i++)
        {
            var l = links[i];
            if (l.LengthM <= 0 || l.Lanes is < 1 or > 8 || l.SpeedLimitKmh is <= 0 or > 200 || l.Direction is not (1 or 2))
            {
                throw new ArgumentException($"link {i} of corridor '{name}' has a non-positive length, 1-8 lanes expected, a limit in (0, 200] km/h and direction 1 or 2");
            }
            _linkStartM[i] = x;
            x += l.LengthM;
        }
        LengthM = x;
        MaxLanes = links.Max(l => l.Lanes);

        // The auxiliary lane is one lane: its stretches may not overlap and must lie inside the corridor.
        var aux = OnRamps.Select(r => (Start: r.PositionM, End: r.PositionM + r.AccelerationLaneM, r.Name))
            .Concat(OffRamps.Select(r => (Start: r.PositionM - r.DecelerationLaneM, End: r.PositionM, r.Name)))
            .OrderBy(s => s.Start).ToArray();
        for (var i = 0; i < aux.Length; i++)
        {
            if (aux[i].Start < 0 || aux[i].End > LengthM || aux[i].End - aux[i].Start < 30)
            {
                throw new ArgumentException($"ramp '{aux[i].Name}': its ramp lane must be at least 30 m long and inside the corridor (0-{LengthM} m)");
            }
            if (i > 0 && aux[i].Start < aux[i - 1].End)
            {
                throw new ArgumentException($"ramps '{aux[i - 1].Name}' and '{aux[i].Name}': their ramp lanes overlap");
            }
        }
    }

    public string Name { get; }

    public IReadOnlyList<CorridorLink> Links { get; }

    public IReadOnlyList<OnRamp> OnRamps { get; }

    public IReadOnlyList<OffRamp> OffRamps { get; }

    public double LengthM { get; }

    /// <summary>The largest number of mainline lanes of any link; lanes are indexed 0 (ramp lane) to MaxLanes.</summary>
    public int MaxLanes { get; }

    /// <summary>Where link <paramref name="index"/> starts, metres from the corridor's upstream end.</summary>
    public double LinkStartM(int index) => _linkStartM[index];

    /// <summary>The index of the link holding position x (the last link for x at the very end).</summary>
    public int LinkIndexAt(double x)
    {
        var i = Array.BinarySearch(_linkStartM, x);
        if (i < 0)
        {
            i = ~i - 1;
        }
        return Math.Clamp(i, 0, Links.Count - 1);
    }

    /// <summary>The route and stake at corridor position x.</summary>
    public (string RouteCode, double StakeM) StakeAt(double x)
    {
        var i = LinkIndexAt(x);
        var l = Links[i];
        var along = x - _linkStartM[i];
        return (l.RouteCode, l.Direction == 2 ? l.FromStakeM - along : l.FromStakeM + along);
    }

    /// <summary>The stake at x formatted as K123+400 with its route, e.g. "G60 K123+400".</summary>
    public string StakeText(double x)
    {
        var (route, stake) = StakeAt(x);
        return route + " " + Stake.Format(stake);
    }

    /// <summary>The corridor position of a stake on a route, or false when no link of the route covers it.</summary>
    public bool TryPositionAt(string routeCode, double stakeM, out double x)
    {
        for (var i = 0; i < Links.Count; i++)
        {
            var l = Links[i];
            if (!string.Equals(l.RouteCode, routeCode, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var along = l.Direction == 2 ? l.FromStakeM - stakeM : stakeM - l.FromStakeM;
            if (along >= 0 && along <= l.LengthM)
            {
                x = _linkStartM[i] + along;
                return true;
            }
        }
        x = 0;
        return false;
    }

    /// <summary>As <see cref="TryPositionAt"/>, throwing when the stake is not on the corridor.</summary>
    public double PositionAt(string routeCode, double stakeM) =>
        TryPositionAt(routeCode, stakeM, out var x) ? x : throw new ArgumentOutOfRangeException(nameof(stakeM), $"{routeCode} {Stake.Format(stakeM)} is not on corridor '{Name}'");

    public int OnRampIndex(string name) => IndexOf(OnRamps.Select(r => r.Name), name, "on-ramp");

    public int OffRampIndex(string name) => IndexOf(OffRamps.Select(r => r.Name), name, "off-ramp");

    private int IndexOf(IEnumerable<string> names, string name, string what)
    {
        var i = 0;
        foreach (var n in names)
        {
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                return i;
            }
            i++;
        }
        throw new ArgumentException($"corridor '{Name}' has no {what} named '{name}'");
    }

    /// <summary>
    /// A straight corridor of one route built from its length: equal links of <paramref name="linkLengthM"/>
    /// (so gantries and detectors can be placed per link), the same lanes and limit throughout.
    /// </summary>
    public static Corridor Uniform(string name, string routeCode, int direction, double fromStakeM, double lengthM, int lanes,
        double speedLimitKmh, double linkLengthM = 1000, IReadOnlyList<OnRamp>? onRamps = null, IReadOnlyList<OffRamp>? offRamps = null)
    {
        var links = new List<CorridorLink>();
        double done = 0;
        while (done < lengthM - 1e-6)
        {
            var len = Math.Min(linkLengthM, lengthM - done);
            links.Add(new CorridorLink
            {
                RouteCode = routeCode,
                Direction = direction,
                FromStakeM = direction == 2 ? fromStakeM - done : fromStakeM + done,
                LengthM = len,
                Lanes = lanes,
                SpeedLimitKmh = speedLimitKmh,
            });
            done += len;
        }
        return new Corridor(name, links, onRamps, offRamps);
    }
}
