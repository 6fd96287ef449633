using TransportBrain.Highway.TravelTimes;

namespace TransportBrain.Highway.Processing;

/// <summary>
/// A section in one 5-minute interval: travel time and speed for all vehicles, passenger cars and
/// trucks, and the volume entering the section (read at its upstream gantry). Final once the
/// watermark has passed the interval's end; provisional before.
/// </summary>
public sealed record SectionInterval(int Section, long IntervalTicks, GroupEstimate All, GroupEstimate Car, GroupEstimate Truck, int Flow, int CarFlow, int TruckFlow, bool Final)
{
    public DateTimeOffset IntervalStart => new(IntervalTicks, TimeSpan.Zero);
}

/// <summary>Vehicles read at a gantry in one 5-minute interval, by JT/T 489 toll class (index = class code, 0..26).</summary>
public sealed record GantryFlow(int Gantry, long IntervalTicks, int[] ByClass)
{
    public int Total => ByClass.Sum();
    public int Passenger => ByClass[1] + ByClass[2] + ByClass[3] + ByClass[4];
    public int Truck => Total - Passenger;
}

/// <summary>Trips from an entry toll station to an exit toll station that entered in one hour.</summary>
public sealed record OdCount(long HourTicks, string EntryStation, string ExitStation, int Trips, int CarTrips, int TruckTrips);

/// <summary>What the processor did with what it was given. Every pass is counted once under Accepted, Late or DuplicateTransaction.</summary>
public sealed class ProcessorCounters
{
    public long Accepted;
    public long Late;
    public long DuplicateTransaction;
    public long DuplicateReads;
    public long Matched;
    public long NotAdjacent;
    public long TooFast;
    public long TooSlow;
    public long TripsClosed;
    public long TripsWithoutExit;
    public long VehiclesEvicted;
}
