namespace TransportBrain.Highway.Network;

/// <summary>A WGS-84 position.</summary>
public readonly record struct GeoPoint(double Lon, double Lat);

/// <summary>The kinds of things located along a route by stake.</summary>
public enum FacilityKind
{
    Gantry,
    TollStation,
    Interchange,
    ServiceArea,
    SurveyStation,
    Tunnel,
    Bridge,
    WeatherStation,
}

/// <summary>
/// A route (G60, S30) with its geometry drawn in the direction of increasing stake. Direction 1 (上行)
/// runs with increasing stake, direction 2 (下行) against it, as JTG practice numbers them.
/// </summary>
public sealed record RouteInfo(
    string Code,
    string NameZh,
    string NameEn,
    string RoadClass,
    double StartStake,
    double EndStake,
    double SpeedLimitKmh,
    int LanesPerDirection,
    IReadOnlyList<GeoPoint> Line);

/// <summary>
/// A gantry, toll station, interchange, service area, survey station, tunnel, bridge or weather station.
/// Direction 0 means both carriageways. Tunnels and bridges have an end stake.
/// </summary>
public sealed record Facility(
    string Id,
    FacilityKind Kind,
    string Name,
    string Route,
    double Stake,
    double? EndStake,
    int Direction,
    GeoPoint Location,
    IReadOnlyDictionary<string, string> Attributes)
{
    public string? Attribute(string name) => Attributes.TryGetValue(name, out var v) ? v : null;
}

/// <summary>A stretch of a route with a speed limit below the route's default (direction 0 = both).</summary>
public sealed record SpeedLimitZone(string Route, int Direction, double FromStake, double ToStake, double LimitKmh);

/// <summary>
/// The stretch of one carriageway between two consecutive gantries: the unit of travel times, flows and
/// congestion levels. <see cref="Index"/> is dense (0..n-1) so processors can keep arrays per section.
/// </summary>
public sealed class Section
{
    public required string Id { get; init; }
    public required int Index { get; init; }
    public required string Route { get; init; }
    public required int Direction { get; init; }
    public required Facility From { get; init; }
    public required Facility To { get; init; }
    public double FromStake => From.Stake;
    public double ToStake => To.Stake;
    public required double LengthM { get; init; }
    public required double SpeedLimitKmh { get; init; }
    public required string RoadClass { get; init; }
    public required int Lanes { get; init; }
    public required IReadOnlyList<GeoPoint> Line { get; init; }
    /// <summary>The section that ends where this one starts (null at the first gantry).</summary>
    public Section? Upstream { get; internal set; }
    /// <summary>The section that starts where this one ends (null at the last gantry).</summary>
    public Section? Downstream { get; internal set; }

    /// <summary>Whether a stake lies on this section (from inclusive, to exclusive, in driving order).</summary>
    public bool Covers(double stake) => Direction == 1
        ? stake >= FromStake && stake < ToStake
        : stake <= FromStake && stake > ToStake;

    /// <summary>Whether the stretch [a, b] (any order) overlaps this section.</summary>
    public bool Overlaps(double a, double b)
    {
        var lo = Math.Min(FromStake, ToStake);
        var hi = Math.Max(FromStake, ToStake);
        return Math.Max(a, b) >= lo && Math.Min(a, b) <= hi;
    }
}

/// <summary>
/// The road network model (B1): routes, facilities and the sections derived from consecutive gantries of
/// each carriageway. Immutable once built; lookups are dictionary or array reads.
/// </summary>
public sealed class RoadNetwork
{
    private readonly Dictionary<string, Facility> _facilities;
    private readonly Dictionary<string, Section> _sectionById;
    private readonly Dictionary<string, Section> _sectionFromGantry;
    private readonly Dictionary<(string Route, int Direction), Section[]> _carriageways;

    private RoadNetwork(IReadOnlyList<RouteInfo> routes, IReadOnlyList<Facility> facilities, IReadOnlyList<SpeedLimitZone> zones, IReadOnlyList<Section> sections)
    {
        Routes = routes;
        Facilities = facilities;
        SpeedLimitZones = zones;
        Sections = sections;
        _facilities = facilities.ToDictionary(f => f.Id, StringComparer.Ordinal);
        _sectionById = sections.ToDictionary(s => s.Id, StringComparer.Ordinal);
        _sectionFromGantry = sections.ToDictionary(s => s.From.Id, StringComparer.Ordinal);
        _carriageways = sections.GroupBy(s => (s.Route, s.Direction)).ToDictionary(g => g.Key, g => g.ToArray());
        Gantries = [.. facilities.Where(f => f.Kind == FacilityKind.Gantry)];
        RouteByCode = routes.ToDictionary(r => r.Code, StringComparer.Ordinal);
    }

    public IReadOnlyList<RouteInfo> Routes { get; }
    public IReadOnlyDictionary<string, RouteInfo> RouteByCode { get; }
    public IReadOnlyList<Facility> Facilities { get; }
    public IReadOnlyList<Facility> Gantries { get; }
    public IReadOnlyList<SpeedLimitZone> SpeedLimitZones { get; }
    public IReadOnlyList<Section> Sections { get; }

    public Facility? Facility(string id) => _facilities.GetValueOrDefault(id);
    public Section? Section(string id) => _sectionById.GetValueOrDefault(id);

    /// <summary>The section that starts at this gantry, if the gantry has a downstream neighbour.</summary>
    public Section? SectionFrom(string gantryId) => _sectionFromGantry.GetValueOrDefault(gantryId);

    /// <summary>The section of a carriageway that covers a stake.</summary>
    public Section? SectionAt(string route, int direction, double stake)
    {
        if (!_carriageways.TryGetValue((route, direction), out var list))
        {
            return null;
        }
        foreach (var s in list)
        {
            if (s.Covers(stake))
            {
                return s;
            }
        }
        return null;
    }

    /// <summary>Sections of one carriageway in driving order.</summary>
    public IReadOnlyList<Section> Carriageway(string route, int direction) =>
        _carriageways.TryGetValue((route, direction), out var list) ? list : [];

    public IEnumerable<Facility> OfKind(FacilityKind kind) => Facilities.Where(f => f.Kind == kind);

    /// <summary>A point on a route's line at a stake (interpolated along the geometry).</summary>
    public GeoPoint PointAt(string route, double stake) =>
        RouteByCode.TryGetValue(route, out var r) ? RouteGeometry.PointAt(r, stake) : default;

    /// <summary>
    /// Builds the network: each carriageway's gantries in driving order, one section between each
    /// consecutive pair, the speed limit the lowest of the route's and any zone over the section.
    /// </summary>
    public static RoadNetwork Build(IReadOnlyList<RouteInfo> routes, IReadOnlyList<Facility> facilities, IReadOnlyList<SpeedLimitZone>? zones = null)
    {
        zones ??= [];
        var duplicate = facilities.GroupBy(f => f.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"facility id '{duplicate.Key}' appears {duplicate.Count()} times");
        }
        var byCode = routes.ToDictionary(r => r.Code, StringComparer.Ordinal);
        var sections = new List<Section>();
        foreach (var group in facilities.Where(f => f.Kind == FacilityKind.Gantry).GroupBy(f => (f.Route, f.Direction)).OrderBy(g => g.Key.Route, StringComparer.Ordinal).ThenBy(g => g.Key.Direction))
        {
            var (code, direction) = group.Key;
            if (!byCode.TryGetValue(code, out var route))
            {
                throw new ArgumentException($"gantries refer to route '{code}', which the network does not define");
            }
            if (direction is not (1 or 2))
            {
                throw new ArgumentException($"gantry {group.First().Id} has direction {direction}; gantries serve direction 1 or 2");
            }
            var ordered = direction == 1 ? group.OrderBy(g => g.Stake).ToArray() : group.OrderByDescending(g => g.Stake).ToArray();
            Section? previous = null;
            for (var i = 0; i + 1 < ordered.Length; i++)
            {
                var from = ordered[i];
                var to = ordered[i + 1];
                var length = Math.Abs(to.Stake - from.Stake);
                if (length < 1)
                {
                    throw new ArgumentException($"gantries {from.Id} and {to.Id} stand at the same stake {Stake.Format(from.Stake)}");
                }
                var limit = route.SpeedLimitKmh;
                foreach (var z in zones)
                {
                    if (z.Route == code && (z.Direction == 0 || z.Direction == direction)
                        && Math.Max(z.FromStake, z.ToStake) > Math.Min(from.Stake, to.Stake) && Math.Min(z.FromStake, z.ToStake) < Math.Max(from.Stake, to.Stake))
                    {
                        limit = Math.Min(limit, z.LimitKmh);
                    }
                }
                var section = new Section
                {
                    Id = $"{code}-{direction}-{Stake.Format(from.Stake)}",
                    Index = sections.Count,
                    Route = code,
                    Direction = direction,
                    From = from,
                    To = to,
                    LengthM = length,
                    SpeedLimitKmh = limit,
                    RoadClass = route.RoadClass,
                    Lanes = route.LanesPerDirection,
                    Line = RouteGeometry.Slice(route, from.Stake, to.Stake),
                    Upstream = previous,
                };
                if (previous is not null)
                {
                    previous.Downstream = section;
                }
                previous = section;
                sections.Add(section);
            }
        }
        return new RoadNetwork(routes, facilities, zones, sections);
    }
}
