namespace TransportBrain.Twin.Simulation;

/// <summary>
/// The vehicles of one lane as a structure of arrays sorted by position, front-most first (index 0), plus the
/// lane's geometry: the stretches where it can be driven (spans) and its speed limits. Keeping the lane sorted is
/// what makes leader search O(1) (the leader is the previous index) and neighbour search in the next lane a
/// pointer that only moves forward during a sweep.
/// </summary>
internal sealed class LaneState
{
    /// <summary>Span end kinds: the corridor's end (everyone leaves), or a standing obstacle; ≥ 0 = off-ramp index.</summary>
    public const int ExitAll = -1;
    public const int Obstacle = -2;

    public int Count;
    public double[] X;
    public double[] V;
    public double[] A;
    /// <summary>Driver's desired-speed factor (applied to the class's desired speed and to posted limits).</summary>
    public double[] F;
    /// <summary>Where the vehicle must have left for its off-ramp (+∞ for through vehicles).</summary>
    public double[] ExitX;
    /// <summary>Position of the next crossing sensor ahead (+∞ when none).</summary>
    public double[] NextSensorX;
    public int[] Slot;
    public byte[] Cls;

    public int SpanCount;
    /// <summary>True when some span ends other than at the corridor's end (ramp lanes, lane drops, closures).</summary>
    public bool HasObstacle;
    public double[] SpanStart = [];
    public double[] SpanEnd = [];
    public int[] SpanKind = [];

    public int LimitCount;
    public double[] LimitStart = [];
    public double[] LimitMs = [];

    public LaneState(int capacity)
    {
        X = new double[capacity];
        V = new double[capacity];
        A = new double[capacity];
        F = new double[capacity];
        ExitX = new double[capacity];
        NextSensorX = new double[capacity];
        Slot = new int[capacity];
        Cls = new byte[capacity];
    }

    public int Capacity => X.Length;

    public void EnsureCapacity(int needed)
    {
        if (needed <= X.Length)
        {
            return;
        }
        var n = Math.Max(needed, X.Length * 2);
        Array.Resize(ref X, n);
        Array.Resize(ref V, n);
        Array.Resize(ref A, n);
        Array.Resize(ref F, n);
        Array.Resize(ref ExitX, n);
        Array.Resize(ref NextSensorX, n);
        Array.Resize(ref Slot, n);
        Array.Resize(ref Cls, n);
    }

    /// <summary>Exchanges the vehicle arrays with another lane object (used to double-buffer merges).</summary>
    public void SwapVehicles(LaneState other)
    {
        (X, other.X) = (other.X, X);
        (V, other.V) = (other.V, V);
        (A, other.A) = (other.A, A);
        (F, other.F) = (other.F, F);
        (ExitX, other.ExitX) = (other.ExitX, ExitX);
        (NextSensorX, other.NextSensorX) = (other.NextSensorX, NextSensorX);
        (Slot, other.Slot) = (other.Slot, Slot);
        (Cls, other.Cls) = (other.Cls, Cls);
        (Count, other.Count) = (other.Count, Count);
    }

    public void CopyVehicle(int from, LaneState target, int to)
    {
        target.X[to] = X[from];
        target.V[to] = V[from];
        target.A[to] = A[from];
        target.F[to] = F[from];
        target.ExitX[to] = ExitX[from];
        target.NextSensorX[to] = NextSensorX[from];
        target.Slot[to] = Slot[from];
        target.Cls[to] = Cls[from];
    }

    /// <summary>Opens a hole at index i (shifting i.. back by one).</summary>
    public void InsertAt(int i)
    {
        EnsureCapacity(Count + 1);
        var tail = Count - i;
        if (tail > 0)
        {
            Array.Copy(X, i, X, i + 1, tail);
            Array.Copy(V, i, V, i + 1, tail);
            Array.Copy(A, i, A, i + 1, tail);
            Array.Copy(F, i, F, i + 1, tail);
            Array.Copy(ExitX, i, ExitX, i + 1, tail);
            Array.Copy(NextSensorX, i, NextSensorX, i + 1, tail);
            Array.Copy(Slot, i, Slot, i + 1, tail);
            Array.Copy(Cls, i, Cls, i + 1, tail);
        }
        Count++;
    }

    /// <summary>Index of the first vehicle strictly behind x (vehicles are sorted by descending position).</summary>
    public int FirstBehind(double x)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (X[mid] > x)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <summary>The speed limit at x, m/s (binary search; the sweeps use a moving pointer instead).</summary>
    public double LimitAt(double x)
    {
        var m = LimitCount - 1;
        while (m > 0 && LimitStart[m] > x)
        {
            m--;
        }
        return LimitMs[m];
    }

    /// <summary>The span holding x or the last one starting before x (-1 when x is before every span).</summary>
    public int SpanIndexAt(double x)
    {
        var k = SpanCount - 1;
        while (k >= 0 && SpanStart[k] > x)
        {
            k--;
        }
        return k;
    }

    /// <summary>True when x lies inside a drivable span.</summary>
    public bool IsOpenAt(double x)
    {
        var k = SpanIndexAt(x);
        return k >= 0 && x < SpanEnd[k];
    }
}
