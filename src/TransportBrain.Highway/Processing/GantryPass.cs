using TransportBrain.Highway.Network;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Highway.Processing;

/// <summary>Passenger cars and trucks are estimated apart (JT/T 489: classes 1-4 passenger, 11-16 truck, 21-26 special).</summary>
public enum VehicleGroup : byte
{
    Car = 0,
    Truck = 1,
}

/// <summary>
/// One vehicle read at one gantry, reduced to what the processors need: the instant (UTC ticks), the
/// gantry (its index in <see cref="RoadNetwork.Gantries"/>), the vehicle (a 64-bit hash of its OBU/CPC
/// id, or of plate and colour), the toll class, the transaction (a 64-bit hash of its id) and the trip
/// (entry toll station and entry time) it belongs to.
/// </summary>
public readonly record struct GantryPass(long Ticks, int Gantry, long Vehicle, byte TollClass, long Transaction, string? EntryStation, long EntryTicks)
{
    public VehicleGroup Group => TollClass is >= 1 and <= 4 ? VehicleGroup.Car : VehicleGroup.Truck;
}

/// <summary>Why a transaction row could not become a <see cref="GantryPass"/>.</summary>
public enum PassRejection
{
    None,
    UnknownGantry,
    NoVehicleIdentity,
    MissingTime,
}

/// <summary>Turns rows of highway.gantry_transaction (typed, in schema order) into passes.</summary>
public sealed class GantryPassReader
{
    private readonly Dictionary<string, int> _gantryIndex;
    private readonly int _id, _gantry, _time, _plate, _colour, _class, _mediaType, _media, _entryStation, _entryTime;

    public GantryPassReader(RoadNetwork network, DatasetDefinition? dataset = null)
    {
        dataset ??= HighwayDatasets.GantryTransaction;
        _gantryIndex = new Dictionary<string, int>(network.Gantries.Count, StringComparer.Ordinal);
        for (var i = 0; i < network.Gantries.Count; i++)
        {
            _gantryIndex[network.Gantries[i].Id] = i;
        }
        int F(string name) => dataset.FieldIndex(name) is var i and >= 0 ? i : throw new ArgumentException($"{dataset.Id} has no field {name}");
        _id = F("transaction_id");
        _gantry = F("gantry_id");
        _time = F("trans_time");
        _plate = F("plate");
        _colour = F("plate_color");
        _class = F("vehicle_type");
        _mediaType = F("media_type");
        _media = F("media_id");
        _entryStation = F("entry_station_id");
        _entryTime = F("entry_time");
    }

    public int GantryIndex(string gantryId) => _gantryIndex.TryGetValue(gantryId, out var i) ? i : -1;

    public PassRejection TryRead(IReadOnlyList<object?> row, out GantryPass pass)
    {
        pass = default;
        if (row[_gantry] is not string gantryId || !_gantryIndex.TryGetValue(gantryId, out var gantry))
        {
            return PassRejection.UnknownGantry;
        }
        if (row[_time] is not DateTimeOffset time)
        {
            return PassRejection.MissingTime;
        }
        long vehicle;
        if (row[_media] is string media && media.Length > 0)
        {
            vehicle = Hash64.Of(media, row[_mediaType] is long mt ? mt : 0);
        }
        else if (row[_plate] is string plate && plate.Length > 0)
        {
            vehicle = Hash64.Of(plate, 100 + (row[_colour] is long c ? c : 0));
        }
        else
        {
            return PassRejection.NoVehicleIdentity;
        }
        var tollClass = row[_class] is long k ? (byte)Math.Clamp(k, 0, 255) : (byte)1;
        var entryTicks = row[_entryTime] is DateTimeOffset e ? e.UtcTicks : 0;
        pass = new GantryPass(time.UtcTicks, gantry, vehicle, tollClass, Hash64.Of(row[_id] as string ?? "", 0), row[_entryStation] as string, entryTicks);
        return PassRejection.None;
    }
}

/// <summary>FNV-1a over UTF-16 code units with a salt, then a 64-bit finaliser: stable across runs and processes.</summary>
public static class Hash64
{
    public static long Of(string text, long salt)
    {
        var h = 14695981039346656037UL ^ (ulong)salt;
        foreach (var ch in text)
        {
            h ^= ch;
            h *= 1099511628211UL;
        }
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return (long)h;
    }
}
