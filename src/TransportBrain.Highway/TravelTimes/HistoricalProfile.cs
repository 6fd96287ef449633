namespace TransportBrain.Highway.TravelTimes;

/// <summary>
/// Typical speed per section, vehicle group, weekday and 5-minute slot of the day (China Standard Time),
/// learnt from observed intervals: a running mean over the first 4 weeks, then an exponential average
/// (weight 0.25) so it follows slow change. Used when an interval has too few vehicles.
/// </summary>
public sealed class HistoricalProfile
{
    public const int SlotsPerDay = 288;
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private readonly float[] _speed;
    private readonly byte[] _count;

    public HistoricalProfile(int sections)
    {
        Sections = sections;
        _speed = new float[sections * 2 * 7 * SlotsPerDay];
        _count = new byte[_speed.Length];
    }

    public int Sections { get; }

    public double? Get(int section, int group, long intervalTicks)
    {
        var i = Index(section, group, intervalTicks);
        return _count[i] == 0 ? null : _speed[i];
    }

    public void Update(int section, int group, long intervalTicks, double speedKmh)
    {
        var i = Index(section, group, intervalTicks);
        var n = _count[i];
        _speed[i] = n == 0 ? (float)speedKmh : n < 4 ? (float)((_speed[i] * n + speedKmh) / (n + 1)) : (float)(_speed[i] * 0.75 + speedKmh * 0.25);
        if (n < 255)
        {
            _count[i] = (byte)(n + 1);
        }
    }

    /// <summary>Copies learnt values (for persistence): speed and count arrays.</summary>
    public (float[] Speed, byte[] Count) Snapshot() => ((float[])_speed.Clone(), (byte[])_count.Clone());

    public void Restore(float[] speed, byte[] count)
    {
        if (speed.Length != _speed.Length || count.Length != _count.Length)
        {
            throw new ArgumentException("the saved profile was made for a different network");
        }
        speed.CopyTo(_speed, 0);
        count.CopyTo(_count, 0);
    }

    private int Index(int section, int group, long intervalTicks)
    {
        var local = new DateTime(intervalTicks, DateTimeKind.Unspecified) + China;
        var slot = (int)(local.TimeOfDay.Ticks / TimeSpan.TicksPerMinute / 5);
        return ((section * 2 + group) * 7 + (int)local.DayOfWeek) * SlotsPerDay + slot;
    }
}
