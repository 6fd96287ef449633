namespace TransportBrain.Fleet.Supervision;

public enum GeofenceKind
{
    /// <summary>允许区域: being outside is the violation (GeofenceExit).</summary>
    Allowed,

    /// <summary>禁入区域: being inside is the violation (GeofenceEntry).</summary>
    Prohibited,
}

/// <summary>
/// An electronic fence (电子围栏).
/// </summary>
/// <param name="Area">A <see cref="GeoPolygon"/> or <see cref="GeoCircle"/> (a <see cref="GeoCorridor"/> works too).</param>
/// <param name="Categories">Vehicle categories the fence applies to; null: all.</param>
/// <param name="Terminals">Terminal ids the fence applies to; null: all.</param>
/// <param name="ActiveWindow">Local-time daily window in which the fence is enforced; null: always.</param>
public sealed record Geofence(
    string Id,
    string Name,
    GeofenceKind Kind,
    GeoArea Area,
    IReadOnlySet<VehicleCategory>? Categories = null,
    IReadOnlySet<string>? Terminals = null,
    DailyTimeWindow? ActiveWindow = null)
{
    public bool AppliesTo(string terminalId, VehicleCategory category) =>
        (Categories is null || Categories.Contains(category))
        && (Terminals is null || Terminals.Contains(terminalId));

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            throw new ArgumentException("A geofence needs a non-blank Id.");
        }

        if (Area is null)
        {
            throw new ArgumentException($"Geofence '{Id}' has no area.");
        }

        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Geofence '{Id}' has an unknown kind {Kind}.");
        }
    }
}

/// <summary>
/// The fences the engine evaluates, changeable at runtime (on the engine's thread). A removed or
/// no-longer-applicable fence ends its open alarms at the vehicle's next fix.
/// </summary>
public sealed class GeofenceSet : IReadOnlyCollection<Geofence>
{
    private readonly Dictionary<string, Geofence> _byId = new(StringComparer.Ordinal);
    private Geofence[]? _ordered;

    public int Count => _byId.Count;

    /// <summary>Adds the fence, or replaces the one with the same id (its vehicles' inside/outside state is kept).</summary>
    public void AddOrReplace(Geofence fence)
    {
        ArgumentNullException.ThrowIfNull(fence);
        fence.Validate();
        _byId[fence.Id] = fence;
        _ordered = null;
    }

    public bool Remove(string id)
    {
        var removed = _byId.Remove(id);
        if (removed)
        {
            _ordered = null;
        }

        return removed;
    }

    public void Clear()
    {
        _byId.Clear();
        _ordered = null;
    }

    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Geofence? fence) =>
        _byId.TryGetValue(id, out fence);

    public bool Contains(string id) => _byId.ContainsKey(id);

    /// <summary>Fences ordered by id, so signals come out in a stable order.</summary>
    internal Geofence[] Ordered => _ordered ??= [.. _byId.Values.OrderBy(f => f.Id, StringComparer.Ordinal)];

    public IEnumerator<Geofence> GetEnumerator() => ((IEnumerable<Geofence>)Ordered).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
