using System.Runtime.CompilerServices;

namespace TransportBrain.Twin.Simulation;

/// <summary>
/// Microsimulation of one corridor: IDM car following, MOBIL lane changing, ramps, speed limits per lane, variable
/// speed limits and lane closures set while running, OD demand with time-of-day profiles, incidents.
/// <para>
/// One step: (1) incidents start or end; (2) arrivals are generated into the origin queues; (3) lane changes are
/// decided by MOBIL with the accelerations of the previous step and applied together (to the left on even steps,
/// to the right on odd steps, so that two vehicles never take one gap from both sides); (4) every lane is swept
/// front to back: ballistic update of position and speed, exits, sensor crossings, ground truth, then the IDM
/// acceleration for the next step from the leader's new state; (5) queued vehicles enter where there is room;
/// (6) step observers (control strategies, exporters) run. Deterministic for a given seed: no hashing, no clocks,
/// no parallelism, and arithmetic in a fixed order.
/// </para>
/// </summary>
public sealed class Simulator
{
    private const byte NoClass = byte.MaxValue;

    private readonly Corridor _corridor;
    private readonly SimulationOptions _options;
    private readonly double _dt;
    private readonly List<VehicleClass> _classes = [];
    private ClassParameters[] _p = [];
    private readonly LaneState[] _lanes;
    private readonly LaneState _scratch;
    private readonly int _maxLane;

    // Per vehicle, by slot (slots are reused after a vehicle leaves).
    private int[] _slotId = new int[256];
    private byte[] _slotCls = new byte[256];
    private int[] _slotDest = new int[256];
    private double[] _slotOriginX = new double[256];
    private double[] _slotRequestS = new double[256];
    private double[] _slotLastChangeS = new double[256];
    private double[] _slotF = new double[256];
    private int[] _freeSlots = new int[256];
    private int _freeCount;
    private int _slotsUsed;

    private readonly OriginQueue[] _queues;
    private readonly double[] _originX;
    private readonly FlowProcess[] _flows;

    private CrossingSensor[] _sensors = [];
    private double[] _sensorX = [];
    private readonly List<IStepObserver> _observers = [];
    private GroundTruthRecorder? _groundTruth;

    private readonly List<LaneClosure> _closures = [];
    private readonly List<SpeedLimitOverride> _limitOverrides = [];
    private int _nextControlId = 1;
    private readonly List<(Incident Incident, int[] ClosureIds, int State)> _incidents = [];

    private double[] _refStart = [];
    private double[] _refLimitMs = [];

    // Lane-change moves of one step (source lane, index, acceleration in the target lane) and their vehicles.
    private int _moveCount;
    private int[] _moveLane = new int[1024];
    private int[] _moveIndex = new int[1024];
    private double[] _moveAcc = new double[1024];
    private readonly LaneState _moving;

    private long _step;
    private long _vehicleSteps;
    private int _generated;
    private int _entered;
    private int _exitedMainline;
    private int _exitedRamps;
    private int _missedExits;
    private long _laneChanges;
    private long _emergencyStops;
    private double _completedDelayS;
    private double _completedTravelS;

    public Simulator(Corridor corridor, OdMatrix demand, SimulationOptions? options = null, IReadOnlyList<Incident>? incidents = null)
    {
        _corridor = corridor;
        _options = options ?? new SimulationOptions();
        _options.Validate();
        _dt = _options.StepS;
        _maxLane = corridor.MaxLanes;
        // Sized for a standing queue in every lane (one vehicle per 6 m), so that the arrays never grow while running:
        // the steps allocate nothing.
        var laneCapacity = (int)(corridor.LengthM / 6) + 64;
        _lanes = new LaneState[_maxLane + 1];
        for (var l = 0; l <= _maxLane; l++)
        {
            _lanes[l] = new LaneState(laneCapacity);
        }
        _scratch = new LaneState(laneCapacity);
        _moving = new LaneState(laneCapacity);
        GrowSlots(laneCapacity * (_maxLane + 1));

        _originX = new double[1 + corridor.OnRamps.Count];
        _queues = new OriginQueue[_originX.Length];
        for (var o = 0; o < _originX.Length; o++)
        {
            _originX[o] = o == 0 ? 0 : corridor.OnRamps[o - 1].PositionM;
            _queues[o] = new OriginQueue();
        }

        var flows = new List<FlowProcess>();
        for (var i = 0; i < demand.Flows.Count; i++)
        {
            var f = demand.Flows[i];
            var origin = f.Origin == OdFlow.Mainline ? 0 : 1 + corridor.OnRampIndex(f.Origin);
            var dest = f.Destination == OdFlow.Mainline ? -1 : corridor.OffRampIndex(f.Destination);
            if (dest >= 0 && corridor.OffRamps[dest].PositionM <= _originX[origin] + 100)
            {
                throw new ArgumentException($"OD flow {f.Origin} → {f.Destination}: the off-ramp is not downstream of the origin");
            }
            if (f.VehPerHour < 0)
            {
                throw new ArgumentException($"OD flow {f.Origin} → {f.Destination}: negative flow");
            }
            var mix = f.Mix ?? demand.DefaultMix;
            foreach (var (c, _) in mix.Shares)
            {
                ClassIndex(c);
            }
            var rng = new DeterministicRandom(_options.Seed ^ (0x9E3779B97F4A7C15UL * (ulong)(i + 1)));
            var process = new FlowProcess(origin, dest, f.VehPerHour / 3600.0, mix, f.Profile ?? demand.DefaultProfile, rng);
            process.NextArrivalS = NextArrival(ref process, 0);
            flows.Add(process);
        }
        _flows = flows.ToArray();

        foreach (var incident in incidents ?? [])
        {
            if (incident.Lanes.Any(l => l < 0 || l > _maxLane) || incident.DurationS <= 0 || incident.LengthM <= 0)
            {
                throw new ArgumentException("an incident blocks lanes 0..MaxLanes for a positive duration and length", nameof(incidents));
            }
            _incidents.Add((incident, [], 0));
        }

        BuildReferenceSpeeds();
        RebuildLimits();
        RebuildSpans();
    }

    public Corridor Corridor => _corridor;

    public SimulationOptions Options => _options;

    /// <summary>Simulated seconds since the start.</summary>
    public double TimeS => _step * _dt;

    /// <summary>The instant the current simulated time stands for.</summary>
    public DateTimeOffset Now => _options.StartTime.AddSeconds(TimeS);

    public IReadOnlyList<VehicleClass> Classes => _classes;

    public IReadOnlyList<LaneClosure> Closures => _closures;

    public IReadOnlyList<SpeedLimitOverride> SpeedLimitOverrides => _limitOverrides;

    public SimulationStatistics Statistics => new(TimeS, _step, _vehicleSteps, _generated, _entered, _exitedMainline, _exitedRamps,
        InNetwork, _queues.Sum(q => q.Count), _missedExits, _laneChanges, _emergencyStops);

    /// <summary>Vehicles waiting to enter, per origin: the main line first, then each on-ramp in corridor order.</summary>
    public int[] QueueLengths() => _queues.Select(q => q.Count).ToArray();

    public int InNetwork
    {
        get
        {
            var n = 0;
            foreach (var l in _lanes)
            {
                n += l.Count;
            }
            return n;
        }
    }

    // ---------------------------------------------------------------- hooks

    /// <summary>Adds a sensor told of every vehicle whose front crosses its position.</summary>
    public void AddSensor(CrossingSensor sensor)
    {
        var list = _sensors.Append(sensor).OrderBy(s => s.PositionM).ToArray();
        _sensors = list;
        _sensorX = list.Select(s => s.PositionM).ToArray();
        foreach (var ln in _lanes)
        {
            for (var i = 0; i < ln.Count; i++)
            {
                ln.NextSensorX[i] = NextSensorAfter(ln.X[i]);
            }
        }
    }

    public void AddObserver(IStepObserver observer) => _observers.Add(observer);

    /// <summary>Aggregates ground truth per stretch and interval from now on (one recorder per simulator).</summary>
    public void AttachGroundTruth(GroundTruthRecorder recorder) => _groundTruth = recorder;

    // ---------------------------------------------------------------- control (the cloud-control hook)

    /// <summary>
    /// Sets a variable speed limit on one lane (or every lane with <paramref name="lane"/> = -1) between two positions;
    /// later settings win where they overlap. Returns an id for <see cref="ClearSpeedLimit"/>.
    /// </summary>
    public int SetSpeedLimit(int lane, double fromM, double toM, double limitKmh)
    {
        if (lane < -1 || lane > _maxLane || toM <= fromM || limitKmh is <= 0 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(limitKmh), "a speed limit needs a lane (-1 for all), from < to and a limit in (0, 200] km/h");
        }
        var id = _nextControlId++;
        _limitOverrides.Add(new SpeedLimitOverride(id, lane, fromM, toM, limitKmh));
        RebuildLimits();
        return id;
    }

    public bool ClearSpeedLimit(int id)
    {
        var removed = _limitOverrides.RemoveAll(o => o.Id == id) > 0;
        if (removed)
        {
            RebuildLimits();
        }
        return removed;
    }

    /// <summary>Closes a lane between two positions (vehicles upstream stop before it or change lanes). Returns an id for <see cref="ReopenLane"/>.</summary>
    public int CloseLane(int lane, double fromM, double toM)
    {
        if (lane < 0 || lane > _maxLane || toM <= fromM)
        {
            throw new ArgumentOutOfRangeException(nameof(lane), "a closure needs a lane in 0..MaxLanes and from < to");
        }
        var id = _nextControlId++;
        _closures.Add(new LaneClosure(id, lane, fromM, toM));
        RebuildSpans();
        return id;
    }

    public bool ReopenLane(int id)
    {
        var removed = _closures.RemoveAll(c => c.Id == id) > 0;
        if (removed)
        {
            RebuildSpans();
        }
        return removed;
    }

    /// <summary>The speed limit in force on a lane at a position, km/h.</summary>
    public double SpeedLimitKmh(int lane, double x) => _lanes[lane].LimitAt(x) * 3.6;

    /// <summary>True when a lane exists and is not closed at a position.</summary>
    public bool IsLaneOpen(int lane, double x) => _lanes[lane].IsOpenAt(x);

    // ---------------------------------------------------------------- running

    /// <summary>Runs until the simulated time reaches <paramref name="untilS"/>.</summary>
    public void RunUntil(double untilS)
    {
        while (TimeS + (_dt * 0.5) < untilS)
        {
            Step();
        }
    }

    /// <summary>Advances one step.</summary>
    public void Step()
    {
        var t = TimeS;
        UpdateIncidents(t);
        GenerateArrivals(t + _dt);
        ChangeLanes(t, (_step & 1) == 0 ? 1 : -1);
        for (var l = 0; l <= _maxLane; l++)
        {
            MoveLane(l, t);
        }
        _step++;
        EnterQueuedVehicles(TimeS);
        _groundTruth?.EndStep(TimeS);
        for (var i = 0; i < _observers.Count; i++)
        {
            _observers[i].OnStep(this);
        }
    }

    // ---------------------------------------------------------------- the model

    private readonly struct ClassParameters
    {
        public readonly double V0;
        public readonly double T;
        public readonly double S0;
        public readonly double A;
        public readonly double B;
        public readonly double InvTwoSqrtAb;
        public readonly double Length;
        public readonly double Politeness;
        public readonly double Threshold;
        public readonly double SafeDecel;
        public readonly double KeepRight;
        public readonly bool MayUseLeftmost;

        public ClassParameters(VehicleClass c)
        {
            V0 = c.DesiredSpeedKmh / 3.6;
            T = c.TimeHeadwayS;
            S0 = c.MinGapM;
            A = c.MaxAccelerationMs2;
            B = c.ComfortableDecelerationMs2;
            InvTwoSqrtAb = 1.0 / (2.0 * Math.Sqrt(A * B));
            Length = c.LengthM;
            Politeness = c.Politeness;
            Threshold = c.ChangeThresholdMs2;
            SafeDecel = c.SafeDecelerationMs2;
            KeepRight = c.KeepRightBiasMs2;
            MayUseLeftmost = c.MayUseLeftmostLane;
        }
    }

    /// <summary>
    /// IDM acceleration: a [1 - (v/v0)^4 - (s*/s)^2] with s* = s0 + max(0, vT + vΔv / (2√(ab))). Above the desired
    /// speed (a limit just dropped) the free-road term is floored at -b, so drivers slow down comfortably instead
    /// of braking hard at a sign.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Idm(in ClassParameters p, double v, double v0, double gap, double leaderV)
    {
        var r = v / v0;
        r *= r;
        var free = p.A * (1 - (r * r));
        if (free < -p.B)
        {
            free = -p.B;
        }
        var dyn = (v * p.T) + (v * (v - leaderV) * p.InvTwoSqrtAb);
        var sStar = p.S0 + (dyn > 0 ? dyn : 0);
        var q = sStar / (gap > 0.1 ? gap : 0.1);
        return free - (p.A * q * q);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Free(in ClassParameters p, double v, double v0)
    {
        var r = v / v0;
        r *= r;
        var free = p.A * (1 - (r * r));
        return free < -p.B ? -p.B : free;
    }

    /// <summary>
    /// Braking for a standing obstacle (the end of a ramp lane, a closure): none while stopping in the room left
    /// (distance minus s0) needs less than the comfortable deceleration b, then the constant deceleration v²/(2·room)
    /// that stops there. Drivers keep their speed along an acceleration lane and brake at the last comfortable moment,
    /// as they do, instead of the IDM's early anticipation of a standing vehicle, which would make every merging
    /// vehicle crawl to the end of its acceleration lane. Returns +∞ when no braking is needed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Brake(in ClassParameters p, double v, double distance)
    {
        var room = distance - p.S0;
        if (room <= 0.05)
        {
            return v > 0 ? -_options.MaxDecelerationMs2 : 0;
        }
        var needed = v * v / (2 * room);
        return needed >= p.B ? -needed : double.PositiveInfinity;
    }

    /// <summary>
    /// The standing obstacle and the exit a vehicle at x in a lane sees ahead: the end of the span it is in (or of
    /// the next one when it is inside a closed stretch). A span ending at the corridor's end or at the vehicle's own
    /// off-ramp is an exit, any other end an obstacle.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StopAhead(LaneState ln, int k, double x, int slot, out double obstacleX, out double exitX)
    {
        var q = k >= 0 && x < ln.SpanEnd[k] ? k : k + 1;
        if (q >= ln.SpanCount)
        {
            obstacleX = double.PositiveInfinity;
            exitX = _corridor.LengthM;
            return;
        }
        var kind = ln.SpanKind[q];
        if (kind == LaneState.ExitAll || (kind >= 0 && _slotDest[slot] == kind))
        {
            obstacleX = double.PositiveInfinity;
            exitX = ln.SpanEnd[q];
        }
        else
        {
            obstacleX = ln.SpanEnd[q];
            exitX = double.PositiveInfinity;
        }
    }

    /// <summary>MOBIL bias for leaving a lane that ends (or is closed) ahead: 0 far away, the full bias at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double EndingLanePush(double distanceM) =>
        distanceM < _options.MandatoryLookaheadM ? _options.MandatoryBiasMs2 * (1 - (distanceM / _options.MandatoryLookaheadM)) : 0;

    /// <summary>
    /// MOBIL (Kesting, Treiber &amp; Helbing 2007) for every vehicle towards one side: a change happens when it is safe
    /// (the new follower and the changer brake less than b_safe, gaps positive) and the changer's gain plus
    /// politeness times the followers' gains plus the biases (keep right, leave an ending lane, head for the exit)
    /// exceeds the threshold. Decisions use the accelerations of this step and are applied together afterwards.
    /// </summary>
    private void ChangeLanes(double t, int dir)
    {
        _moveCount = 0;
        var cooldown = _options.LaneChangeCooldownS;
        var bMax = _options.MaxDecelerationMs2;
        var range = _options.ObstacleRangeM;
        var exitPrep = _options.ExitPreparationM;
        var exitBias = _options.ExitBiasMs2;
        for (var l = 0; l <= _maxLane; l++)
        {
            var target = l + dir;
            if (target < 0 || target > _maxLane)
            {
                continue;
            }
            var src = _lanes[l];
            var tgt = _lanes[target];
            var n = src.Count;
            if (n == 0 || tgt.SpanCount == 0)
            {
                continue;
            }
            var truckRestricted = target == _maxLane && _maxLane >= 3;
            var j = 0;
            var kS = src.SpanCount - 1;
            var kT = tgt.SpanCount - 1;
            var mS = src.LimitCount - 1;
            var mT = tgt.LimitCount - 1;
            for (var i = 0; i < n; i++)
            {
                var x = src.X[i];
                while (kT >= 0 && tgt.SpanStart[kT] > x)
                {
                    kT--;
                }
                while (kS >= 0 && src.SpanStart[kS] > x)
                {
                    kS--;
                }
                while (mS > 0 && src.LimitStart[mS] > x)
                {
                    mS--;
                }
                while (mT > 0 && tgt.LimitStart[mT] > x)
                {
                    mT--;
                }
                while (j < tgt.Count && tgt.X[j] > x)
                {
                    j++;
                }
                if (kT < 0 || x >= tgt.SpanEnd[kT])
                {
                    continue;
                }
                var c = src.Cls[i];
                ref readonly var p = ref _p[c];
                if (x - p.Length < tgt.SpanStart[kT] || (truckRestricted && !p.MayUseLeftmost))
                {
                    continue;
                }
                var slot = src.Slot[i];
                var tKind = tgt.SpanKind[kT];
                if (target == 0 && (tKind < 0 || _slotDest[slot] != tKind))
                {
                    // The ramp lane is only entered to take one's own off-ramp.
                    continue;
                }
                if (t - _slotLastChangeS[slot] < cooldown)
                {
                    continue;
                }

                // Gaps in the target lane.
                var sLead = double.PositiveInfinity;
                var vLead = 0.0;
                if (j > 0)
                {
                    sLead = tgt.X[j - 1] - _p[tgt.Cls[j - 1]].Length - x;
                    vLead = tgt.V[j - 1];
                    if (sLead <= 0.5)
                    {
                        continue;
                    }
                }
                var sFol = double.PositiveInfinity;
                if (j < tgt.Count)
                {
                    sFol = x - p.Length - tgt.X[j];
                    if (sFol <= 0.5)
                    {
                        continue;
                    }
                }

                // The changer's acceleration in the target lane.
                var v = src.V[i];
                var v0T = src.F[i] * Math.Min(p.V0, tgt.LimitMs[mT]);
                var accNew = j > 0 ? Idm(p, v, v0T, sLead, vLead) : Free(p, v, v0T);
                StopAhead(tgt, kT, x, slot, out var obstT, out _);
                if (obstT - x < range)
                {
                    accNew = Math.Min(accNew, Brake(p, v, obstT - x));
                }
                // Urgency (the own lane ends soon) makes drivers accept harder braking, by themselves and by others.
                StopAhead(src, kS, x, slot, out var obstS, out _);
                var push = EndingLanePush(obstS - x);
                var safeDecel = p.SafeDecel + push;
                if (accNew < -safeDecel)
                {
                    continue;
                }

                // Biases: keep right; leave a lane that ends, do not enter one; head right for the exit.
                var bias = (dir > 0 ? -p.KeepRight : p.KeepRight) + push - EndingLanePush(obstT - x);
                var exitX = src.ExitX[i];
                if (exitX < double.PositiveInfinity)
                {
                    var d = exitX - x;
                    if (d < exitPrep)
                    {
                        if (dir > 0)
                        {
                            // No overtaking to the left once preparing to leave.
                            continue;
                        }
                        // Growing from the bias to three times it at the diverge: late changers accept a tighter gap
                        // (the safety criterion still holds).
                        bias += exitBias * (3 - (2 * d / exitPrep));
                    }
                }
                var own = accNew - src.A[i];

                // Upper bound before evaluating the followers: the old follower gains at most up to its a_max.
                var oldFolBound = 0.0;
                if (i + 1 < n)
                {
                    ref readonly var po = ref _p[src.Cls[i + 1]];
                    oldFolBound = Math.Max(0, po.A - src.A[i + 1]);
                }
                if (own + bias + (p.Politeness * oldFolBound) <= p.Threshold)
                {
                    continue;
                }

                // Safety of the new follower, and its loss.
                var newFolChange = 0.0;
                if (j < tgt.Count)
                {
                    ref readonly var pf = ref _p[tgt.Cls[j]];
                    var vf = tgt.V[j];
                    var accFol = Idm(pf, vf, tgt.F[j] * Math.Min(pf.V0, tgt.LimitMs[mT]), sFol, v);
                    if (accFol < -safeDecel)
                    {
                        continue;
                    }
                    if (accFol < tgt.A[j])
                    {
                        newFolChange = accFol - tgt.A[j];
                    }
                }

                // The old follower's gain when the changer leaves.
                var oldFolChange = 0.0;
                if (i + 1 < n && oldFolBound > 0)
                {
                    ref readonly var po = ref _p[src.Cls[i + 1]];
                    var vo = src.V[i + 1];
                    var v0o = src.F[i + 1] * Math.Min(po.V0, src.LimitMs[mS]);
                    var xo = src.X[i + 1];
                    var accOld = i > 0 ? Idm(po, vo, v0o, src.X[i - 1] - _p[src.Cls[i - 1]].Length - xo, src.V[i - 1]) : Free(po, vo, v0o);
                    if (obstS - xo < range)
                    {
                        accOld = Math.Min(accOld, Brake(po, vo, obstS - xo));
                    }
                    oldFolChange = Math.Max(-bMax, accOld) - src.A[i + 1];
                }

                if (own + (p.Politeness * (newFolChange + oldFolChange)) + bias > p.Threshold)
                {
                    AddMove(l, i, Math.Max(accNew, -bMax));
                }
            }
        }
        if (_moveCount > 0)
        {
            ApplyMoves(t, dir);
        }
    }

    private void AddMove(int lane, int index, double acc)
    {
        if (_moveCount == _moveLane.Length)
        {
            Array.Resize(ref _moveLane, _moveCount * 2);
            Array.Resize(ref _moveIndex, _moveCount * 2);
            Array.Resize(ref _moveAcc, _moveCount * 2);
        }
        _moveLane[_moveCount] = lane;
        _moveIndex[_moveCount] = index;
        _moveAcc[_moveCount] = acc;
        _moveCount++;
    }

    private void ApplyMoves(double t, int dir)
    {
        // Copy the movers out, compact their source lanes, then merge them into their target lanes. Moves are
        // grouped by source lane in ascending order, and with one direction per step every target lane receives
        // from one source lane only, already sorted front first.
        _moving.EnsureCapacity(_moveCount);
        for (var m = 0; m < _moveCount; m++)
        {
            var src = _lanes[_moveLane[m]];
            src.CopyVehicle(_moveIndex[m], _moving, m);
            _moving.A[m] = _moveAcc[m];
            _slotLastChangeS[src.Slot[_moveIndex[m]]] = t;
        }
        _laneChanges += _moveCount;

        var g = 0;
        while (g < _moveCount)
        {
            var lane = _moveLane[g];
            var end = g;
            while (end < _moveCount && _moveLane[end] == lane)
            {
                end++;
            }
            var src = _lanes[lane];
            var w = _moveIndex[g];
            var next = g;
            for (var i = _moveIndex[g]; i < src.Count; i++)
            {
                if (next < end && _moveIndex[next] == i)
                {
                    next++;
                    continue;
                }
                if (w != i)
                {
                    src.CopyVehicle(i, src, w);
                }
                w++;
            }
            src.Count = w;
            g = end;
        }

        g = 0;
        while (g < _moveCount)
        {
            var lane = _moveLane[g];
            var end = g;
            while (end < _moveCount && _moveLane[end] == lane)
            {
                end++;
            }
            MergeInto(_lanes[lane + dir], g, end);
            g = end;
        }
    }

    private void MergeInto(LaneState tgt, int from, int to)
    {
        var s = _scratch;
        s.EnsureCapacity(tgt.Count + (to - from));
        var a = 0;
        var b = from;
        var w = 0;
        var afterNewcomer = false;
        while (a < tgt.Count || b < to)
        {
            var takeNew = b < to && (a >= tgt.Count || _moving.X[b] > tgt.X[a]);
            if (takeNew)
            {
                _moving.CopyVehicle(b++, s, w);
            }
            else
            {
                tgt.CopyVehicle(a++, s, w);
            }
            if (afterNewcomer)
            {
                // The vehicle behind a newcomer used an acceleration computed without it: brake if it must.
                ref readonly var p = ref _p[s.Cls[w]];
                var v0 = s.F[w] * Math.Min(p.V0, tgt.LimitAt(s.X[w]));
                var acc = Idm(p, s.V[w], v0, s.X[w - 1] - _p[s.Cls[w - 1]].Length - s.X[w], s.V[w - 1]);
                s.A[w] = Math.Max(-_options.MaxDecelerationMs2, Math.Min(s.A[w], acc));
            }
            afterNewcomer = takeNew;
            w++;
        }
        s.Count = w;
        // Keep the target's geometry, swap in the merged vehicles.
        tgt.SwapVehicles(s);
    }

    /// <summary>
    /// The sweep of one lane, front to back, compacting out the vehicles that leave: ballistic update
    /// (x += v dt + a dt²/2, v += a dt, stopping at v = 0), never beyond the leader's new rear or a standing
    /// obstacle, then the IDM acceleration for the next step from the leader's new state.
    /// </summary>
    private void MoveLane(int l, double t)
    {
        var ln = _lanes[l];
        var n = ln.Count;
        if (n == 0)
        {
            return;
        }
        _vehicleSteps += n;
        var dt = _dt;
        var bMax = _options.MaxDecelerationMs2;
        var range = _options.ObstacleRangeM;
        var gt = _groundTruth;
        var k = ln.SpanCount - 1;
        var m = ln.LimitCount - 1;
        var w = 0;
        // Neighbour lanes with lanes ending ahead: drivers open gaps for vehicles that must merge in (see Yield).
        var right = l > 0 && _lanes[l - 1].HasObstacle && _lanes[l - 1].Count > 0 ? _lanes[l - 1] : null;
        var left = l < _maxLane && _lanes[l + 1].HasObstacle && _lanes[l + 1].Count > 0 ? _lanes[l + 1] : null;
        int jR = 0, kR = right is null ? 0 : right.SpanCount - 1, jL = 0, kL = left is null ? 0 : left.SpanCount - 1;
        var xs = ln.X;
        var vs = ln.V;
        var acs = ln.A;
        var cls = ln.Cls;
        var slots = ln.Slot;
        for (var i = 0; i < n; i++)
        {
            var x = xs[i];
            var v = vs[i];
            var a = acs[i];
            var c = cls[i];
            var slot = slots[i];
            ref readonly var p = ref _p[c];

            var vNew = v + (a * dt);
            double xNew;
            if (vNew < 0)
            {
                xNew = a < 0 ? x - (0.5 * v * v / a) : x;
                vNew = 0;
            }
            else
            {
                xNew = x + (0.5 * (v + vNew) * dt);
            }

            while (k >= 0 && ln.SpanStart[k] > x)
            {
                k--;
            }
            StopAhead(ln, k, x, slot, out var obstacleX, out var exitX);

            // Never into the leader or through an obstacle (the IDM keeps clear of both; this only acts when an
            // incident appears right in front of a vehicle or a merge leaves too small a gap).
            double leaderRear = double.PositiveInfinity, leaderV = 0;
            if (w > 0)
            {
                leaderRear = xs[w - 1] - _p[cls[w - 1]].Length;
                leaderV = vs[w - 1];
            }
            var limitX = Math.Min(leaderRear, obstacleX);
            if (xNew > limitX)
            {
                xNew = Math.Max(x, limitX);
                vNew = Math.Min(vNew, xNew == obstacleX ? 0 : leaderV);
                _emergencyStops++;
            }

            var dx = xNew - x;
            if (xNew >= ln.NextSensorX[i])
            {
                ln.NextSensorX[i] = FireCrossings(ln.NextSensorX[i], x, xNew, slot, c, l, t, v, vNew);
            }

            if (xNew >= exitX)
            {
                var frac = dx > 0 ? (exitX - x) / dx : 1;
                Leave(slot, exitX, t + (frac * dt), exitX < _corridor.LengthM && l == 0);
                continue;
            }
            if (xNew >= ln.ExitX[i] && l > 0)
            {
                // Missed the off-ramp: drives on to the corridor's end.
                ln.ExitX[i] = double.PositiveInfinity;
                _slotDest[slot] = -1;
                _missedExits++;
            }
            gt?.Add(xNew, dx, dt);

            // Acceleration for the next step.
            while (m > 0 && ln.LimitStart[m] > xNew)
            {
                m--;
            }
            var v0 = ln.F[i] * Math.Min(p.V0, ln.LimitMs[m]);
            var acc = w > 0 ? Idm(p, vNew, v0, leaderRear - xNew, leaderV) : Free(p, vNew, v0);
            if (obstacleX - xNew < range)
            {
                var accObstacle = Brake(p, vNew, obstacleX - xNew);
                if (accObstacle < acc)
                {
                    acc = accObstacle;
                }
            }

            if (right is not null)
            {
                acc = Yield(right, ref jR, ref kR, p, xNew, vNew, v0, acc);
            }
            if (left is not null)
            {
                acc = Yield(left, ref jL, ref kL, p, xNew, vNew, v0, acc);
            }

            xs[w] = xNew;
            vs[w] = vNew;
            acs[w] = acc < -bMax ? -bMax : acc;
            if (w != i)
            {
                cls[w] = c;
                slots[w] = slot;
                ln.F[w] = ln.F[i];
                ln.ExitX[w] = ln.ExitX[i];
                ln.NextSensorX[w] = ln.NextSensorX[i];
            }
            w++;
        }
        ln.Count = w;
    }

    /// <summary>
    /// Cooperative yielding: a driver treats the nearest vehicle ahead in a neighbour lane as a leader when that
    /// vehicle's lane ends within the mandatory lookahead (an acceleration lane, a closure), it is within the driver's
    /// safe headway, and letting it in needs no more than comfortable braking. Without it a merging vehicle that has to stop at the end of its lane waits for a gap
    /// of well over 100 m in moving traffic; with it merges zip (Treiber &amp; Kesting 2013, ch. 14.4, and the
    /// cooperative lane changing of SUMO's LC2013 model motivate this; the rule itself is ours).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private double Yield(LaneState nb, ref int j, ref int k, in ClassParameters p, double x, double v, double v0, double acc)
    {
        while (j < nb.Count && nb.X[j] > x)
        {
            j++;
        }
        if (j == 0)
        {
            return acc;
        }
        var xn = nb.X[j - 1];
        while (k >= 0 && nb.SpanStart[k] > xn)
        {
            k--;
        }
        StopAhead(nb, k, xn, nb.Slot[j - 1], out var obstacle, out _);
        if (obstacle - xn >= _options.MandatoryLookaheadM)
        {
            return acc;
        }
        // Only a vehicle already within one's own safe headway is let in; one further ahead is not yet in the way.
        var gap = xn - _p[nb.Cls[j - 1]].Length - x;
        if (gap <= 0 || gap > p.S0 + (v * p.T) + 10)
        {
            return acc;
        }
        var cooperative = Idm(p, v, v0, gap, nb.V[j - 1]);
        return cooperative >= -p.B && cooperative < acc ? cooperative : acc;
    }

    private double FireCrossings(double nextX, double x, double xNew, int slot, byte c, int lane, double t, double v, double vNew)
    {
        var idx = Array.BinarySearch(_sensorX, nextX);
        if (idx < 0)
        {
            idx = ~idx;
        }
        while (idx > 0 && _sensorX[idx - 1] >= nextX)
        {
            idx--;
        }
        var dx = xNew - x;
        while (idx < _sensorX.Length && _sensorX[idx] <= xNew)
        {
            var frac = dx > 0 ? Math.Clamp((_sensorX[idx] - x) / dx, 0, 1) : 1;
            var crossing = new VehicleCrossing(_sensorX[idx], _slotId[slot], _classes[c], lane, t + (frac * _dt), v + (frac * (vNew - v)));
            _sensors[idx].OnCrossing(crossing);
            idx++;
        }
        return idx < _sensorX.Length ? _sensorX[idx] : double.PositiveInfinity;
    }

    private double NextSensorAfter(double x)
    {
        // The first sensor at or ahead of x (a vehicle entering at a sensor's position crosses it on its first move).
        var idx = Array.BinarySearch(_sensorX, x);
        if (idx < 0)
        {
            idx = ~idx;
        }
        while (idx > 0 && _sensorX[idx - 1] >= x)
        {
            idx--;
        }
        return idx < _sensorX.Length ? _sensorX[idx] : double.PositiveInfinity;
    }

    private void Leave(int slot, double exitX, double timeS, bool ramp)
    {
        if (ramp)
        {
            _exitedRamps++;
        }
        else
        {
            _exitedMainline++;
        }
        var c = _slotCls[slot];
        var travel = timeS - _slotRequestS[slot];
        _completedTravelS += travel;
        _completedDelayS += travel - FreeFlowTimeS(_slotOriginX[slot], exitX, c, _slotF[slot]);
        ReleaseSlot(slot);
    }

    // ---------------------------------------------------------------- demand and entry

    private struct FlowProcess(int origin, int destination, double ratePerS, ClassMix mix, TimeOfDayProfile profile, DeterministicRandom rng)
    {
        public readonly int Origin = origin;
        public readonly int Destination = destination;
        public readonly double RatePerS = ratePerS;
        public readonly ClassMix Mix = mix;
        public readonly TimeOfDayProfile Profile = profile;
        public DeterministicRandom Rng = rng;
        public double NextArrivalS;
    }

    /// <summary>A FIFO of vehicle slots waiting to enter at one origin (a point queue outside the corridor).</summary>
    private sealed class OriginQueue
    {
        private int[] _items = new int[64];
        private int _head;

        public int Count { get; private set; }

        public void Enqueue(int slot)
        {
            if (Count == _items.Length)
            {
                var bigger = new int[_items.Length * 2];
                for (var i = 0; i < Count; i++)
                {
                    bigger[i] = _items[(_head + i) % _items.Length];
                }
                _items = bigger;
                _head = 0;
            }
            _items[(_head + Count) % _items.Length] = slot;
            Count++;
        }

        public int Peek() => _items[_head];

        public void Dequeue()
        {
            _head = (_head + 1) % _items.Length;
            Count--;
        }

        public IEnumerable<int> Items()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return _items[(_head + i) % _items.Length];
            }
        }
    }

    /// <summary>Poisson arrivals with a time-varying rate, by thinning against the profile's largest factor.</summary>
    private double NextArrival(ref FlowProcess f, double afterS)
    {
        var max = f.RatePerS * f.Profile.MaxFactor;
        if (max <= 0)
        {
            return double.PositiveInfinity;
        }
        var t = afterS;
        while (true)
        {
            t += f.Rng.NextExponential() / max;
            if (f.Rng.NextDouble() * f.Profile.MaxFactor < f.Profile.FactorAt(_options.StartTime.AddSeconds(t)))
            {
                return t;
            }
        }
    }

    private void GenerateArrivals(double untilS)
    {
        for (var i = 0; i < _flows.Length; i++)
        {
            ref var f = ref _flows[i];
            while (f.NextArrivalS < untilS)
            {
                var cls = f.Mix.Pick(f.Rng.NextDouble());
                var c = ClassIndex(cls);
                var spread = cls.DesiredSpeedSpread;
                var factor = 1 - spread + (2 * spread * f.Rng.NextDouble());
                var slot = AllocateSlot();
                _slotId[slot] = _generated++;
                _slotCls[slot] = c;
                _slotDest[slot] = f.Destination;
                _slotOriginX[slot] = _originX[f.Origin];
                _slotRequestS[slot] = f.NextArrivalS;
                _slotLastChangeS[slot] = double.NegativeInfinity;
                _slotF[slot] = factor;
                _queues[f.Origin].Enqueue(slot);
                f.NextArrivalS = NextArrival(ref f, f.NextArrivalS);
            }
        }
    }

    private void EnterQueuedVehicles(double t)
    {
        // Main line: into the lane with the largest gap behind its last vehicle (the next largest when that fails),
        // while one fits. Vehicles bound for an off-ramp start in the right half of the lanes, as drivers heading for
        // an exit would already be positioned upstream of the simulated stretch.
        var q = _queues[0];
        Span<bool> tried = stackalloc bool[_maxLane + 1];
        while (q.Count > 0)
        {
            var slot = q.Peek();
            var c = _slotCls[slot];
            ref readonly var p = ref _p[c];
            var maxLane = _slotDest[slot] >= 0 ? Math.Max(1, (_maxLane + 1) / 2) : _maxLane;
            if (_maxLane >= 3 && !p.MayUseLeftmost)
            {
                maxLane = Math.Min(maxLane, _maxLane - 1);
            }
            tried.Clear();
            var inserted = false;
            while (!inserted)
            {
                var best = -1;
                var bestGap = double.NegativeInfinity;
                for (var l = 1; l <= maxLane; l++)
                {
                    var ln = _lanes[l];
                    if (tried[l] || ln.SpanCount == 0 || ln.SpanStart[0] > 0 || ln.SpanEnd[0] <= 0)
                    {
                        continue;
                    }
                    var gap = ln.Count == 0 ? double.PositiveInfinity : ln.X[ln.Count - 1] - _p[ln.Cls[ln.Count - 1]].Length;
                    if (gap > bestGap)
                    {
                        best = l;
                        bestGap = gap;
                    }
                }
                if (best < 0 || bestGap < p.S0 + 1)
                {
                    break;
                }
                tried[best] = true;
                inserted = TryInsert(_lanes[best], _lanes[best].Count, 0, slot, double.PositiveInfinity, true, t);
            }
            if (!inserted)
            {
                break;
            }
            q.Dequeue();
        }

        // On-ramps: onto the acceleration lane at its start, at most the ramp speed.
        for (var r = 0; r < _corridor.OnRamps.Count; r++)
        {
            q = _queues[r + 1];
            var ramp = _corridor.OnRamps[r];
            var ln = _lanes[0];
            while (q.Count > 0)
            {
                var slot = q.Peek();
                var xFront = ramp.PositionM + _p[_slotCls[slot]].Length;
                var idx = ln.FirstBehind(xFront);
                if (idx < ln.Count && ln.X[idx] > ramp.PositionM - 1)
                {
                    break;
                }
                if (!TryInsert(ln, idx, xFront, slot, ramp.RampSpeedKmh / 3.6, false, t))
                {
                    break;
                }
                q.Dequeue();
            }
        }
    }

    /// <summary>
    /// Puts a queued vehicle at index idx of a lane with its front at x, at the highest speed (up to its desired
    /// speed and <paramref name="capMs"/>) that keeps at least its IDM safe gap s0 + vT, is not below the leader's
    /// speed and does not make it brake harder than b. False when no such speed exists yet.
    /// </summary>
    private bool TryInsert(LaneState ln, int idx, double x, int slot, double capMs, bool advance, double t)
    {
        var c = _slotCls[slot];
        ref readonly var p = ref _p[c];
        var f = _slotF[slot];
        var v0 = f * Math.Min(p.V0, ln.LimitAt(x));
        var v = Math.Min(v0, capMs);
        double gap = double.PositiveInfinity, leaderV = 0;
        if (idx > 0)
        {
            gap = ln.X[idx - 1] - _p[ln.Cls[idx - 1]].Length - x;
            leaderV = ln.V[idx - 1];
            if (gap < p.S0 + 1)
            {
                return false;
            }
            v = Math.Min(v, (gap - p.S0) / p.T);
            if (v < Math.Min(leaderV, Math.Min(v0, capMs)) - 0.5)
            {
                // Wait until the vehicle can enter at (about) the leader's speed: entering slower than the traffic
                // ahead would waste the entry's capacity.
                return false;
            }
            if (advance)
            {
                // The gap opened during the step: place the vehicle where it would be had it entered the moment the
                // gap was large enough (not before it asked to), instead of losing up to a step of headway per entry.
                var extra = Math.Min(Math.Min(v * _dt, v * (t - _slotRequestS[slot])), gap - (p.S0 + (v * p.T)));
                if (extra > 0)
                {
                    x += extra;
                    gap -= extra;
                }
            }
        }
        var k = ln.SpanIndexAt(x);
        StopAhead(ln, k, x, slot, out var obstacleX, out _);
        if (obstacleX - x < p.S0 + 1)
        {
            return false;
        }
        var acc = InsertionAcceleration(p, v, v0, gap, leaderV, obstacleX - x);
        if (acc < -p.B && idx > 0 && leaderV < v)
        {
            // Too fast for a slower leader: try at the leader's speed.
            v = leaderV;
            acc = InsertionAcceleration(p, v, v0, gap, leaderV, obstacleX - x);
        }
        if (acc < -p.B)
        {
            return false;
        }
        ln.InsertAt(idx);
        ln.X[idx] = x;
        ln.V[idx] = v;
        ln.A[idx] = acc;
        ln.F[idx] = f;
        ln.Cls[idx] = c;
        ln.Slot[idx] = slot;
        var dest = _slotDest[slot];
        ln.ExitX[idx] = dest >= 0 ? _corridor.OffRamps[dest].PositionM : double.PositiveInfinity;
        ln.NextSensorX[idx] = NextSensorAfter(x);
        _entered++;
        return true;
    }

    private double InsertionAcceleration(in ClassParameters p, double v, double v0, double gap, double leaderV, double obstacleGap)
    {
        var acc = double.IsPositiveInfinity(gap) ? Free(p, v, v0) : Idm(p, v, v0, gap, leaderV);
        return obstacleGap < _options.ObstacleRangeM ? Math.Min(acc, Brake(p, v, obstacleGap)) : acc;
    }

    // ---------------------------------------------------------------- bookkeeping

    private byte ClassIndex(VehicleClass c)
    {
        var i = _classes.IndexOf(c);
        if (i >= 0)
        {
            return (byte)i;
        }
        if (_classes.Count == NoClass)
        {
            throw new InvalidOperationException("too many vehicle classes");
        }
        c.Validate();
        _classes.Add(c);
        _p = _classes.Select(k => new ClassParameters(k)).ToArray();
        return (byte)(_classes.Count - 1);
    }

    private int AllocateSlot()
    {
        if (_freeCount > 0)
        {
            return _freeSlots[--_freeCount];
        }
        if (_slotsUsed == _slotId.Length)
        {
            GrowSlots(_slotId.Length * 2);
        }
        return _slotsUsed++;
    }

    private void GrowSlots(int n)
    {
        Array.Resize(ref _slotId, n);
        Array.Resize(ref _slotCls, n);
        Array.Resize(ref _slotDest, n);
        Array.Resize(ref _slotOriginX, n);
        Array.Resize(ref _slotRequestS, n);
        Array.Resize(ref _slotLastChangeS, n);
        Array.Resize(ref _slotF, n);
        Array.Resize(ref _freeSlots, n);
    }

    private void ReleaseSlot(int slot) => _freeSlots[_freeCount++] = slot;

    private void UpdateIncidents(double t)
    {
        for (var i = 0; i < _incidents.Count; i++)
        {
            var (incident, ids, state) = _incidents[i];
            if (state == 0 && t >= incident.StartS)
            {
                ids = incident.Lanes.Select(l => CloseLane(l, incident.PositionM, incident.PositionM + incident.LengthM)).ToArray();
                _incidents[i] = (incident, ids, 1);
            }
            else if (state == 1 && t >= incident.EndS)
            {
                foreach (var id in ids)
                {
                    ReopenLane(id);
                }
                _incidents[i] = (incident, ids, 2);
            }
        }
    }

    /// <summary>Incidents in force now.</summary>
    public IEnumerable<Incident> ActiveIncidents => _incidents.Where(i => i.State == 1).Select(i => i.Incident);

    /// <summary>Every incident of the scenario.</summary>
    public IEnumerable<Incident> Incidents => _incidents.Select(i => i.Incident);

    private void RebuildLimits()
    {
        var cuts = new SortedSet<double> { 0 };
        for (var i = 0; i < _corridor.Links.Count; i++)
        {
            cuts.Add(_corridor.LinkStartM(i));
        }
        foreach (var o in _limitOverrides)
        {
            cuts.Add(Math.Max(0, o.FromM));
            cuts.Add(Math.Max(0, o.ToM));
        }
        var starts = cuts.Where(c => c < _corridor.LengthM).ToArray();
        for (var l = 0; l <= _maxLane; l++)
        {
            var ln = _lanes[l];
            var s = new List<double>();
            var lim = new List<double>();
            for (var i = 0; i < starts.Length; i++)
            {
                var end = i + 1 < starts.Length ? starts[i + 1] : _corridor.LengthM;
                var mid = 0.5 * (starts[i] + end);
                var link = _corridor.Links[_corridor.LinkIndexAt(mid)];
                var kmh = link.LimitKmh(Math.Clamp(l, 1, link.Lanes));
                foreach (var o in _limitOverrides)
                {
                    if ((o.Lane == -1 || o.Lane == l) && mid >= o.FromM && mid < o.ToM)
                    {
                        kmh = o.LimitKmh;
                    }
                }
                var ms = kmh / 3.6;
                if (lim.Count > 0 && lim[^1] == ms)
                {
                    continue;
                }
                s.Add(starts[i]);
                lim.Add(ms);
            }
            ln.LimitStart = s.ToArray();
            ln.LimitMs = lim.ToArray();
            ln.LimitCount = s.Count;
        }
    }

    private void RebuildSpans()
    {
        for (var l = 0; l <= _maxLane; l++)
        {
            var spans = new List<(double Start, double End, int Kind)>();
            if (l == 0)
            {
                foreach (var r in _corridor.OnRamps)
                {
                    spans.Add((r.PositionM, r.PositionM + r.AccelerationLaneM, LaneState.Obstacle));
                }
                for (var r = 0; r < _corridor.OffRamps.Count; r++)
                {
                    var off = _corridor.OffRamps[r];
                    spans.Add((off.PositionM - off.DecelerationLaneM, off.PositionM, r));
                }
            }
            else
            {
                for (var i = 0; i < _corridor.Links.Count; i++)
                {
                    if (_corridor.Links[i].Lanes < l)
                    {
                        continue;
                    }
                    var start = _corridor.LinkStartM(i);
                    var end = start + _corridor.Links[i].LengthM;
                    if (spans.Count > 0 && Math.Abs(spans[^1].End - start) < 1e-6)
                    {
                        spans[^1] = (spans[^1].Start, end, 0);
                    }
                    else
                    {
                        spans.Add((start, end, 0));
                    }
                }
                for (var i = 0; i < spans.Count; i++)
                {
                    var atEnd = spans[i].End >= _corridor.LengthM - 1e-6;
                    spans[i] = (spans[i].Start, spans[i].End, atEnd ? LaneState.ExitAll : LaneState.Obstacle);
                }
            }
            spans.Sort((a, b) => a.Start.CompareTo(b.Start));
            foreach (var closure in _closures)
            {
                if (closure.Lane != l)
                {
                    continue;
                }
                var cut = new List<(double Start, double End, int Kind)>();
                foreach (var s in spans)
                {
                    if (closure.ToM <= s.Start || closure.FromM >= s.End)
                    {
                        cut.Add(s);
                        continue;
                    }
                    if (closure.FromM > s.Start)
                    {
                        cut.Add((s.Start, closure.FromM, LaneState.Obstacle));
                    }
                    if (closure.ToM < s.End)
                    {
                        cut.Add((closure.ToM, s.End, s.Kind));
                    }
                }
                spans = cut;
            }
            var ln = _lanes[l];
            ln.HasObstacle = spans.Any(s => s.Kind != LaneState.ExitAll);
            ln.SpanStart = spans.Select(s => s.Start).ToArray();
            ln.SpanEnd = spans.Select(s => s.End).ToArray();
            ln.SpanKind = spans.Select(s => s.Kind).ToArray();
            ln.SpanCount = spans.Count;
        }
    }

    /// <summary>The reference speed limit along the corridor for delays: the highest posted (not variable) lane limit.</summary>
    private void BuildReferenceSpeeds()
    {
        _refStart = new double[_corridor.Links.Count];
        _refLimitMs = new double[_corridor.Links.Count];
        for (var i = 0; i < _corridor.Links.Count; i++)
        {
            var link = _corridor.Links[i];
            _refStart[i] = _corridor.LinkStartM(i);
            var best = 0.0;
            for (var l = 1; l <= link.Lanes; l++)
            {
                best = Math.Max(best, link.LimitKmh(l));
            }
            _refLimitMs[i] = best / 3.6;
        }
    }

    /// <summary>Time to drive from x0 to x1 at the driver's desired speed under the posted limits, s.</summary>
    private double FreeFlowTimeS(double x0, double x1, byte c, double f)
    {
        var v0 = _p[c].V0;
        var total = 0.0;
        for (var i = 0; i < _refStart.Length; i++)
        {
            var a = Math.Max(x0, _refStart[i]);
            var b = Math.Min(x1, i + 1 < _refStart.Length ? _refStart[i + 1] : _corridor.LengthM);
            if (b > a)
            {
                total += (b - a) / (f * Math.Min(v0, _refLimitMs[i]));
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- results

    /// <summary>
    /// Total delay so far, vehicle-hours: for every vehicle generated, time since it asked to enter minus the time
    /// it would have needed at its desired speed under the posted limits for the distance it has covered. Waiting
    /// at an origin counts; variable limits below the posted ones count as delay.
    /// </summary>
    public double TotalDelayHours()
    {
        var t = TimeS;
        var delay = _completedDelayS;
        foreach (var ln in _lanes)
        {
            for (var i = 0; i < ln.Count; i++)
            {
                var slot = ln.Slot[i];
                delay += t - _slotRequestS[slot] - FreeFlowTimeS(_slotOriginX[slot], ln.X[i], _slotCls[slot], _slotF[slot]);
            }
        }
        foreach (var q in _queues)
        {
            foreach (var slot in q.Items())
            {
                delay += t - _slotRequestS[slot];
            }
        }
        return delay / 3600;
    }

    /// <summary>Total time spent (in the corridor and waiting to enter) by every vehicle so far, vehicle-hours.</summary>
    public double TotalTimeSpentHours()
    {
        var t = TimeS;
        var spent = _completedTravelS;
        foreach (var ln in _lanes)
        {
            for (var i = 0; i < ln.Count; i++)
            {
                spent += t - _slotRequestS[ln.Slot[i]];
            }
        }
        foreach (var q in _queues)
        {
            foreach (var slot in q.Items())
            {
                spent += t - _slotRequestS[slot];
            }
        }
        return spent / 3600;
    }

    /// <summary>Every vehicle in the corridor, lane by lane, front first.</summary>
    public IReadOnlyList<VehicleSnapshot> Vehicles()
    {
        var list = new List<VehicleSnapshot>(InNetwork);
        for (var l = 0; l <= _maxLane; l++)
        {
            var ln = _lanes[l];
            for (var i = 0; i < ln.Count; i++)
            {
                var slot = ln.Slot[i];
                var dest = _slotDest[slot];
                list.Add(new VehicleSnapshot(_slotId[slot], l, ln.X[i], ln.V[i], ln.A[i], _classes[ln.Cls[i]],
                    dest < 0 ? OdFlow.Mainline : _corridor.OffRamps[dest].Name));
            }
        }
        return list;
    }

    /// <summary>The smallest bumper-to-bumper gap between consecutive vehicles of any lane, m (+∞ with fewer than two).</summary>
    public double SmallestGapM()
    {
        var min = double.PositiveInfinity;
        foreach (var ln in _lanes)
        {
            for (var i = 1; i < ln.Count; i++)
            {
                min = Math.Min(min, ln.X[i - 1] - _p[ln.Cls[i - 1]].Length - ln.X[i]);
            }
        }
        return min;
    }

    /// <summary>
    /// A 64-bit FNV-1a hash of the complete vehicle state (ids, lanes, exact positions, speeds and accelerations,
    /// queues and counters): equal seeds must give equal hashes at equal times.
    /// </summary>
    public ulong StateHash()
    {
        var h = 14695981039346656037UL;
        void Mix(ulong value)
        {
            for (var b = 0; b < 8; b++)
            {
                h ^= (value >> (b * 8)) & 0xFF;
                h *= 1099511628211UL;
            }
        }
        Mix((ulong)_step);
        for (var l = 0; l <= _maxLane; l++)
        {
            var ln = _lanes[l];
            Mix((ulong)l);
            Mix((ulong)ln.Count);
            for (var i = 0; i < ln.Count; i++)
            {
                Mix((ulong)_slotId[ln.Slot[i]]);
                Mix(BitConverter.DoubleToUInt64Bits(ln.X[i]));
                Mix(BitConverter.DoubleToUInt64Bits(ln.V[i]));
                Mix(BitConverter.DoubleToUInt64Bits(ln.A[i]));
            }
        }
        foreach (var q in _queues)
        {
            Mix((ulong)q.Count);
        }
        Mix((ulong)_generated);
        Mix((ulong)_exitedMainline);
        Mix((ulong)_exitedRamps);
        Mix((ulong)_laneChanges);
        return h;
    }
}
