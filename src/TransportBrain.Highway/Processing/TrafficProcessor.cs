using TransportBrain.Highway.Network;
using TransportBrain.Highway.TravelTimes;

namespace TransportBrain.Highway.Processing;

/// <summary>
/// Turns gantry passes into section travel times, gantry flows and OD counts (B2), in event time.
///
/// Each vehicle keeps a short trace of its reads in time order. A read is kept unless it repeats the
/// previous kept read's gantry within the duplicate window; each kept read that follows a kept read at
/// the upstream gantry of the same section gives one traversal of that section, assigned to the
/// interval in which the vehicle reached the downstream gantry. A read that arrives out of order is
/// inserted where it belongs and the trace is re-derived from there, retracting what no longer holds
/// and adding what now does; so the result depends on the set of passes, not on their arrival order,
/// and a live run and a batch recompute of the same passes agree exactly.
///
/// The watermark is the newest event time seen minus the allowed lateness; a pass older than it is
/// counted as late and left to the batch recompute. An interval is final once the watermark passes its
/// end; traces and trips idle for longer than the maximum pair gap are dropped, so memory stays bounded.
/// </summary>
public sealed class TrafficProcessor
{
    private readonly RoadNetwork _network;
    private readonly TrafficOptions _options;
    private readonly long _interval;
    private readonly long _lateness;
    private readonly long _dupWindow;
    private readonly long _maxGap;
    private readonly int[] _sectionFromGantry;   // gantry index → section index starting there, or -1
    private readonly int[] _gantryOfSection;     // section index → downstream gantry index
    private readonly int[] _gantryFromSection;   // section index → upstream gantry index
    private readonly string?[] _exitStation;     // gantry index → toll station a trip ending there leaves by
    private readonly Dictionary<long, Trace> _traces = new();
    private readonly Queue<(long Ticks, long Vehicle)> _idle = new();
    private readonly Dictionary<long, Slot> _slots = new();
    private readonly Dictionary<(long Vehicle, int Entry, long EntryTicks), Trip> _trips = new();
    private readonly Queue<(long Ticks, (long, int, long) Key)> _tripIdle = new();
    private readonly Dictionary<string, int> _stationIndex = new(StringComparer.Ordinal);
    private readonly List<string> _stationNames = [];
    private string? _lastStation;
    private int _lastStationIndex;
    private readonly SortedDictionary<long, Dictionary<(string, string), int[]>> _od = new();
    private readonly float[] _scratch = new float[512];
    private long _maxSeen = long.MinValue;
    private long _lastSlotKey = long.MinValue;
    private Slot? _lastSlot;
    private long _nextFinal = long.MinValue;

    public TrafficProcessor(RoadNetwork network, TrafficOptions? options = null, HistoricalProfile? profile = null)
    {
        _network = network;
        _options = options ?? new TrafficOptions();
        _interval = _options.Interval.Ticks;
        _lateness = _options.AllowedLateness.Ticks;
        _dupWindow = _options.DuplicateWindow.Ticks;
        _maxGap = _options.MaxPairGap.Ticks;
        Profile = profile ?? new HistoricalProfile(network.Sections.Count);
        var gantryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < network.Gantries.Count; i++)
        {
            gantryIndex[network.Gantries[i].Id] = i;
        }
        _sectionFromGantry = new int[network.Gantries.Count];
        Array.Fill(_sectionFromGantry, -1);
        _gantryOfSection = new int[network.Sections.Count];
        _gantryFromSection = new int[network.Sections.Count];
        foreach (var s in network.Sections)
        {
            _sectionFromGantry[gantryIndex[s.From.Id]] = s.Index;
            _gantryOfSection[s.Index] = gantryIndex[s.To.Id];
            _gantryFromSection[s.Index] = gantryIndex[s.From.Id];
        }
        _exitStation = new string?[network.Gantries.Count];
        for (var i = 0; i < network.Gantries.Count; i++)
        {
            _exitStation[i] = ExitStationAfter(network, network.Gantries[i]);
        }
    }

    public ProcessorCounters Counters { get; } = new();

    /// <summary>
    /// Whether final intervals teach the historical profile as they close. A pipeline that must read the
    /// profile before it learns from the same interval (incident detection) turns this off and calls
    /// <see cref="Learn"/> itself.
    /// </summary>
    public bool LearnOnFinal { get; set; } = true;
    public HistoricalProfile Profile { get; }
    public RoadNetwork Network => _network;

    /// <summary>Event time up to which results are final (UTC ticks); MinValue before the first pass.</summary>
    public long WatermarkTicks => _maxSeen == long.MinValue ? long.MinValue : _maxSeen - _lateness;

    /// <summary>Vehicles currently traced (memory is proportional to this).</summary>
    public int TracedVehicles => _traces.Count;

    public event Action<SectionInterval>? SectionFinal;
    public event Action<GantryFlow>? GantryFlowFinal;
    public event Action<OdCount>? OdFinal;

    /// <summary>Adds a pass. Returns false when it is late (older than the watermark) or a transaction already seen.</summary>
    public bool Add(in GantryPass pass)
    {
        if (_maxSeen != long.MinValue && pass.Ticks < _maxSeen - _lateness)
        {
            Counters.Late++;
            return false;
        }
        if (!_traces.TryGetValue(pass.Vehicle, out var trace))
        {
            trace = new Trace();
            _traces[pass.Vehicle] = trace;
        }
        if (!trace.Insert(pass, this))
        {
            Counters.DuplicateTransaction++;
            return false;
        }
        Counters.Accepted++;
        _idle.Enqueue((pass.Ticks, pass.Vehicle));
        if (pass.EntryStation is { Length: > 0 } entry && pass.EntryTicks != 0)
        {
            var key = (pass.Vehicle, StationIndex(entry), pass.EntryTicks);
            if (!_trips.TryGetValue(key, out var trip))
            {
                trip = new Trip { Group = pass.Group };
                _trips[key] = trip;
            }
            if (pass.Ticks > trip.LastTicks || (pass.Ticks == trip.LastTicks && pass.Transaction > trip.LastTransaction))
            {
                trip.LastTicks = pass.Ticks;
                trip.LastTransaction = pass.Transaction;
                trip.LastGantry = pass.Gantry;
                _tripIdle.Enqueue((pass.Ticks, key));
            }
        }
        if (pass.Ticks > _maxSeen)
        {
            _maxSeen = pass.Ticks;
            if (_nextFinal == long.MinValue)
            {
                _nextFinal = Floor(pass.Ticks);
            }
            Advance();
        }
        else if (_nextFinal == long.MinValue)
        {
            _nextFinal = Floor(pass.Ticks);
        }
        else if (Floor(pass.Ticks) < _nextFinal)
        {
            _nextFinal = Floor(pass.Ticks); // a first pass may be followed by earlier ones within the lateness
        }
        return true;
    }

    /// <summary>Moves the watermark forward without a pass (e.g. a quiet night in live use): results up to <paramref name="eventTicks"/> minus the lateness become final.</summary>
    public void AdvanceTo(long eventTicks)
    {
        if (eventTicks > _maxSeen && _nextFinal != long.MinValue)
        {
            _maxSeen = eventTicks;
            Advance();
        }
    }

    /// <summary>Ends a batch: everything still open becomes final and every trip closes.</summary>
    public void Flush()
    {
        if (_nextFinal == long.MinValue)
        {
            return;
        }
        var end = _maxSeen + _lateness + _maxGap + _interval + _options.OdHold.Ticks + TimeSpan.TicksPerHour;
        _maxSeen = end;
        Advance();
    }

    /// <summary>The current (provisional unless final) figures of a section's interval.</summary>
    public SectionInterval Current(int section, long intervalTicks)
    {
        _slots.TryGetValue(Floor(intervalTicks), out var slot);
        return Build(section, Floor(intervalTicks), slot, final: false);
    }

    /// <summary>Intervals not yet final that have data, newest first.</summary>
    public IEnumerable<long> OpenIntervals() => _slots.Keys.OrderDescending();

    public long Floor(long ticks) => ticks - ((ticks % _interval) + _interval) % _interval;

    private void Advance()
    {
        var watermark = WatermarkTicks;
        while (_nextFinal + _interval <= watermark)
        {
            _slots.Remove(_nextFinal, out var slot);
            if (_lastSlotKey == _nextFinal)
            {
                _lastSlot = null;
                _lastSlotKey = long.MinValue;
            }
            for (var s = 0; s < _network.Sections.Count; s++)
            {
                var result = Build(s, _nextFinal, slot, final: true);
                if (LearnOnFinal)
                {
                    Learn(result);
                }
                SectionFinal?.Invoke(result);
            }
            if (slot is not null)
            {
                foreach (var (gantry, counts) in slot.Flows.OrderBy(kv => kv.Key))
                {
                    GantryFlowFinal?.Invoke(new GantryFlow(gantry, _nextFinal, counts));
                }
            }
            _nextFinal += _interval;
        }
        var horizon = watermark - _maxGap;
        while (_idle.Count > 0 && _idle.Peek().Ticks < horizon)
        {
            var (_, vehicle) = _idle.Dequeue();
            if (_traces.TryGetValue(vehicle, out var trace) && trace.LastTicks < horizon)
            {
                _traces.Remove(vehicle);
                Counters.VehiclesEvicted++;
            }
            else
            {
                trace?.Prune(horizon);
            }
        }
        while (_tripIdle.Count > 0 && _tripIdle.Peek().Ticks < horizon)
        {
            var (ticks, key) = _tripIdle.Dequeue();
            if (_trips.TryGetValue(key, out var trip) && trip.LastTicks == ticks)
            {
                _trips.Remove(key);
                CloseTrip(_stationNames[key.Item2], key.Item3, trip);
            }
        }
        while (_od.Count > 0)
        {
            var first = _od.First();
            if (first.Key + TimeSpan.TicksPerHour + _options.OdHold.Ticks > watermark)
            {
                break;
            }
            _od.Remove(first.Key);
            foreach (var ((entry, exit), c) in first.Value.OrderBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal))
            {
                OdFinal?.Invoke(new OdCount(first.Key, entry, exit, c[0] + c[1], c[0], c[1]));
            }
        }
    }

    /// <summary>Teaches the profile an interval's observed speeds (when <see cref="LearnOnFinal"/> is off).</summary>
    public void Learn(SectionInterval interval)
    {
        if (interval.Car.Source == EstimateSource.Observed)
        {
            Profile.Update(interval.Section, 0, interval.IntervalTicks, interval.Car.SpeedKmh!.Value);
        }
        if (interval.Truck.Source == EstimateSource.Observed)
        {
            Profile.Update(interval.Section, 1, interval.IntervalTicks, interval.Truck.SpeedKmh!.Value);
        }
    }

    private int StationIndex(string entry)
    {
        if (ReferenceEquals(entry, _lastStation))
        {
            return _lastStationIndex;
        }
        if (!_stationIndex.TryGetValue(entry, out var i))
        {
            i = _stationNames.Count;
            _stationNames.Add(entry);
            _stationIndex[entry] = i;
        }
        _lastStation = entry;
        _lastStationIndex = i;
        return i;
    }

    private void CloseTrip(string entry, long entryTicks, Trip trip)
    {
        var exit = _exitStation[trip.LastGantry];
        if (exit is null)
        {
            Counters.TripsWithoutExit++;
            return;
        }
        Counters.TripsClosed++;
        var hour = entryTicks - ((entryTicks % TimeSpan.TicksPerHour) + TimeSpan.TicksPerHour) % TimeSpan.TicksPerHour;
        if (!_od.TryGetValue(hour, out var matrix))
        {
            matrix = [];
            _od[hour] = matrix;
        }
        if (!matrix.TryGetValue((entry, exit), out var counts))
        {
            counts = new int[2];
            matrix[(entry, exit)] = counts;
        }
        counts[(int)trip.Group]++;
    }

    private SectionInterval Build(int s, long interval, Slot? slot, bool final)
    {
        var section = _network.Sections[s];
        Bag? bag = null;
        slot?.Bags.TryGetValue(s, out bag);
        var car = Estimate(bag?.Car, section.LengthM, s, 0, interval);
        var truck = Estimate(bag?.Truck, section.LengthM, s, 1, interval);
        GroupEstimate all;
        if (bag is null || bag.Car.Count + bag.Truck.Count == 0)
        {
            all = Fallback(s, car, truck, 0);
        }
        else
        {
            all = TravelTimeEstimator.EstimateMixed(bag.Car, bag.Truck, section.LengthM, _options.MinSamples, _scratch);
            if (all.Source != EstimateSource.Observed)
            {
                all = Fallback(s, car, truck, bag.Car.Count + bag.Truck.Count) with { Used = all.Used };
            }
        }
        int flow = 0, carFlow = 0;
        if (slot is not null && slot.Flows.TryGetValue(FromGantry(s), out var counts))
        {
            flow = counts.Sum();
            carFlow = counts[1] + counts[2] + counts[3] + counts[4];
        }
        return new SectionInterval(s, interval, all, car, truck, flow, carFlow, flow - carFlow, final);
    }

    private int FromGantry(int section) => _gantryFromSection[section];

    private GroupEstimate Fallback(int s, GroupEstimate car, GroupEstimate truck, int samples)
    {
        // With too few vehicles overall, the passenger-car profile describes the stream best.
        var profiled = car.Source == EstimateSource.Historical ? car : truck.Source == EstimateSource.Historical ? truck : default;
        var section = _network.Sections[s];
        return profiled.SpeedKmh is { } v
            ? new GroupEstimate(samples, 0, section.LengthM / (v / 3.6), v, 0, EstimateSource.Historical)
            : new GroupEstimate(samples, 0, null, null, 0, EstimateSource.None);
    }

    private GroupEstimate Estimate(List<float>? times, double length, int s, int group, long interval)
    {
        var e = times is null ? GroupEstimate.Empty : TravelTimeEstimator.Estimate(times, length, _options.MinSamples, _scratch);
        if (e.Source == EstimateSource.Observed)
        {
            return e;
        }
        return Profile.Get(s, group, interval) is { } v
            ? new GroupEstimate(e.Samples, e.Used, length / (v / 3.6), v, 0, EstimateSource.Historical)
            : e with { Source = EstimateSource.None };
    }

    private Slot SlotFor(long ticks)
    {
        var key = Floor(ticks);
        if (key == _lastSlotKey && _lastSlot is not null)
        {
            return _lastSlot;
        }
        if (!_slots.TryGetValue(key, out var slot))
        {
            slot = new Slot();
            _slots[key] = slot;
        }
        _lastSlotKey = key;
        _lastSlot = slot;
        return slot;
    }

    // Contributions of one kept read: its flow at the gantry, and the traversal that ends at it.
    private void Apply(in Obs o, int sign)
    {
        if (!o.Kept)
        {
            if (sign > 0)
            {
                Counters.DuplicateReads++;
            }
            else
            {
                Counters.DuplicateReads--;
            }
            return;
        }
        var slot = SlotFor(o.Ticks);
        if (!slot.Flows.TryGetValue(o.Gantry, out var counts))
        {
            counts = new int[27];
            slot.Flows[o.Gantry] = counts;
        }
        counts[Math.Min((int)o.TollClass, 26)] += sign;
        switch (o.PairOutcome)
        {
            case PairOutcome.Matched:
                Counters.Matched += sign;
                if (!slot.Bags.TryGetValue(o.PairSection, out var bag))
                {
                    bag = new Bag();
                    slot.Bags[o.PairSection] = bag;
                }
                var list = o.TollClass is >= 1 and <= 4 ? bag.Car : bag.Truck;
                if (sign > 0)
                {
                    list.Add(o.PairSeconds);
                }
                else
                {
                    list.Remove(o.PairSeconds);
                }
                break;
            case PairOutcome.NotAdjacent:
                Counters.NotAdjacent += sign;
                break;
            case PairOutcome.TooFast:
                Counters.TooFast += sign;
                break;
            case PairOutcome.TooSlow:
                Counters.TooSlow += sign;
                break;
        }
    }

    // How the kept read `o` relates to the previous kept read `p` of the same vehicle.
    private void Pair(ref Obs o, in Obs p, bool hasPrevious)
    {
        o.PairOutcome = PairOutcome.None;
        o.PairSection = -1;
        o.PairSeconds = 0;
        if (!hasPrevious)
        {
            return;
        }
        var section = _sectionFromGantry[p.Gantry];
        if (section < 0 || _gantryOfSection[section] != o.Gantry)
        {
            o.PairOutcome = PairOutcome.NotAdjacent;
            return;
        }
        var dt = o.Ticks - p.Ticks;
        if (dt > _maxGap)
        {
            o.PairOutcome = PairOutcome.TooSlow;
            return;
        }
        var seconds = dt / (double)TimeSpan.TicksPerSecond;
        if (dt <= 0 || _network.Sections[section].LengthM / seconds * 3.6 > _options.MaxSpeedKmh)
        {
            o.PairOutcome = PairOutcome.TooFast;
            return;
        }
        o.PairOutcome = PairOutcome.Matched;
        o.PairSection = section;
        o.PairSeconds = (float)seconds;
    }

    private static string? ExitStationAfter(RoadNetwork network, Facility gantry)
    {
        var stations = network.OfKind(FacilityKind.TollStation).Where(t => t.Route == gantry.Route && (t.Direction == 0 || t.Direction == gantry.Direction));
        var ahead = gantry.Direction == 1
            ? stations.Where(t => t.Stake >= gantry.Stake).OrderBy(t => t.Stake)
            : stations.Where(t => t.Stake <= gantry.Stake).OrderByDescending(t => t.Stake);
        return ahead.FirstOrDefault()?.Id
            ?? (gantry.Direction == 1 ? stations.OrderByDescending(t => t.Stake) : stations.OrderBy(t => t.Stake)).FirstOrDefault()?.Id;
    }

    private enum PairOutcome : byte
    {
        None,
        Matched,
        NotAdjacent,
        TooFast,
        TooSlow,
    }

    private struct Obs
    {
        public long Ticks;
        public long Transaction;
        public int Gantry;
        public byte TollClass;
        public bool Kept;
        public PairOutcome PairOutcome;
        public int PairSection;
        public float PairSeconds;
    }

    private sealed class Bag
    {
        public readonly List<float> Car = new(4);
        public readonly List<float> Truck = new(2);
    }

    private sealed class Slot
    {
        public readonly Dictionary<int, Bag> Bags = [];
        public readonly Dictionary<int, int[]> Flows = [];
    }

    private sealed class Trip
    {
        public long LastTicks = long.MinValue;
        public long LastTransaction;
        public int LastGantry;
        public VehicleGroup Group;
    }

    private sealed class Trace
    {
        private Obs[] _items = new Obs[4];
        private int _count;

        public long LastTicks => _count == 0 ? long.MinValue : _items[_count - 1].Ticks;

        /// <summary>Inserts in (time, transaction) order and re-derives the reads after it; false for a transaction already held.</summary>
        public bool Insert(in GantryPass pass, TrafficProcessor p)
        {
            var at = _count;
            while (at > 0 && Compare(_items[at - 1], pass.Ticks, pass.Transaction) > 0)
            {
                at--;
            }
            if (at > 0 && _items[at - 1].Transaction == pass.Transaction && _items[at - 1].Ticks == pass.Ticks)
            {
                return false;
            }
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, _count * 2);
            }
            Array.Copy(_items, at, _items, at + 1, _count - at);
            _count++;
            _items[at] = new Obs { Ticks = pass.Ticks, Transaction = pass.Transaction, Gantry = pass.Gantry, TollClass = pass.TollClass };
            // Retract what the later reads contributed, re-derive them, and add the new contributions.
            for (var i = at + 1; i < _count; i++)
            {
                p.Apply(_items[i], -1);
            }
            var lastKept = -1;
            for (var i = at - 1; i >= 0; i--)
            {
                if (_items[i].Kept)
                {
                    lastKept = i;
                    break;
                }
            }
            for (var i = at; i < _count; i++)
            {
                ref var o = ref _items[i];
                o.Kept = lastKept < 0 || _items[lastKept].Gantry != o.Gantry || o.Ticks - _items[lastKept].Ticks > p._dupWindow;
                if (o.Kept)
                {
                    p.Pair(ref o, lastKept >= 0 ? _items[lastKept] : default, lastKept >= 0);
                    lastKept = i;
                }
                else
                {
                    o.PairOutcome = PairOutcome.None;
                }
                p.Apply(o, +1);
            }
            return true;
        }

        /// <summary>Drops reads older than the horizon, keeping the last kept one (later reads pair with it).</summary>
        public void Prune(long horizon)
        {
            if (_count < 16)
            {
                return;
            }
            var keepFrom = 0;
            for (var i = 0; i < _count && _items[i].Ticks < horizon; i++)
            {
                if (_items[i].Kept)
                {
                    keepFrom = i;
                }
            }
            if (keepFrom > 0)
            {
                Array.Copy(_items, keepFrom, _items, 0, _count - keepFrom);
                _count -= keepFrom;
            }
        }

        private static int Compare(in Obs o, long ticks, long transaction) =>
            o.Ticks != ticks ? o.Ticks.CompareTo(ticks) : o.Transaction.CompareTo(transaction);
    }
}
