using System.Buffers.Binary;
using System.Collections;
using System.Runtime.InteropServices;

namespace TransportBrain.Fleet.Jt808;

/// <summary>Why a location additional item (附加信息) was kept raw instead of decoded into a typed field.</summary>
public enum Jt808AdditionalItemState
{
    /// <summary>An id this codec does not decode (vendor items, or standard ones not typed yet).</summary>
    Undecoded,

    /// <summary>A decoded id whose length is not the standard one.</summary>
    WrongLength,

    /// <summary>A decoded id already seen earlier in the same report; the first one is typed.</summary>
    Duplicate,

    /// <summary>The declared length runs past the end of the body; <see cref="Jt808AdditionalItem.Value"/> holds what is there.</summary>
    Truncated,
}

/// <summary>One additional item kept as raw TLV bytes, nothing dropped.</summary>
/// <param name="Raw">
/// The item as received: id byte, length byte (when present), value. It is a slice of the list it came from,
/// so it shares that list's lifetime (see <see cref="Jt808AdditionalItemList.IsBorrowed"/>).
/// </param>
public readonly record struct Jt808AdditionalItem(byte Id, int DeclaredLength, Jt808AdditionalItemState State, ReadOnlyMemory<byte> Raw)
{
    public ReadOnlyMemory<byte> Value => Raw.Length > 2 ? Raw[2..] : ReadOnlyMemory<byte>.Empty;
}

/// <summary>
/// The additional items of a location report that were not decoded into typed fields, in wire order:
/// a view over the report's item bytes, so decoding needs no list and no per-item objects. Enumerate it
/// with <c>foreach</c> (a struct enumerator, nothing allocated); the indexer walks from the start.
/// <para>
/// From <see cref="Jt808LocationReport.TryDecodeBorrowed"/> the view points into the caller's buffer
/// (<see cref="IsBorrowed"/>): it is valid only until that buffer is reused, so call <see cref="ToOwned"/>
/// (or <see cref="Jt808LocationReport.ToOwned"/>) before keeping the report beyond the current frame.
/// </para>
/// </summary>
public readonly struct Jt808AdditionalItemList : IReadOnlyList<Jt808AdditionalItem>
{
    // Every additional item byte of the body (typed items included); the walk skips the typed ones.
    private readonly ReadOnlyMemory<byte> _items;
    private readonly int _count;
    private readonly bool _borrowed;

    internal Jt808AdditionalItemList(ReadOnlyMemory<byte> items, int count, bool borrowed)
    {
        _items = items;
        _count = count;
        _borrowed = borrowed;
    }

    public static Jt808AdditionalItemList Empty => default;

    /// <summary>How many items were kept raw.</summary>
    public int Count => _count;

    /// <summary>
    /// True when the items point into a buffer the decoder was lent (<see cref="Jt808LocationReport.TryDecodeBorrowed"/>)
    /// rather than into a copy of their own. False for an empty list.
    /// </summary>
    public bool IsBorrowed => _borrowed;

    /// <summary>The whole additional-item part of the body as received, typed items included (empty when <see cref="Count"/> is 0).</summary>
    public ReadOnlyMemory<byte> ItemBytes => _items;

    public Jt808AdditionalItem this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _count);
            var enumerator = GetEnumerator();
            for (int i = 0; i <= index; i++)
            {
                enumerator.MoveNext();
            }

            return enumerator.Current;
        }
    }

    /// <summary>The same items backed by a copy of their bytes (one array); this list itself when not borrowed.</summary>
    public Jt808AdditionalItemList ToOwned() =>
        _borrowed ? new Jt808AdditionalItemList(_items.ToArray(), _count, borrowed: false) : this;

    public Enumerator GetEnumerator() => new(_items, _count);

    IEnumerator<Jt808AdditionalItem> IEnumerable<Jt808AdditionalItem>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Walks the TLV items again, yielding those the decoder did not type (the walk is deterministic).</summary>
    public struct Enumerator : IEnumerator<Jt808AdditionalItem>
    {
        private readonly ReadOnlyMemory<byte> _items;
        private readonly int _count;

        // The array behind _items when there is one (always, from the decoders): a span over it is cheaper than Memory.Span.
        private readonly byte[]? _array;
        private readonly int _arrayOffset;
        private Jt808AdditionalItemScanner _scanner;
        private int _offset;
        private int _yielded;

        internal Enumerator(ReadOnlyMemory<byte> items, int count)
        {
            _items = items;
            _count = count;
            if (MemoryMarshal.TryGetArray(items, out var segment))
            {
                _array = segment.Array;
                _arrayOffset = segment.Offset;
            }

            _scanner = default;
            _offset = 0;
            _yielded = 0;
            Current = default;
        }

        public Jt808AdditionalItem Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_yielded == _count)
            {
                return false;
            }

            var span = _array is null ? _items.Span : new ReadOnlySpan<byte>(_array, _arrayOffset, _items.Length);
            while (_offset < span.Length)
            {
                int start = _offset;
                var state = _scanner.Next(span, ref _offset, out byte id, out int declared);
                if (state != Jt808AdditionalItemScanner.Taken)
                {
                    Current = new Jt808AdditionalItem(id, declared, state, _items.Slice(start, _offset - start));
                    _yielded++;
                    return true;
                }
            }

            return false;
        }

        public void Reset() => this = new Enumerator(_items, _count);

        public readonly void Dispose()
        {
        }
    }
}

/// <summary>
/// One pass over the TLV additional items: types the standard items this codec knows and says why the
/// others stay raw. Shared by the decoder and <see cref="Jt808AdditionalItemList.Enumerator"/>, which
/// therefore agree on which items are raw.
/// </summary>
internal struct Jt808AdditionalItemScanner
{
    /// <summary>Returned for an item decoded into a typed field.</summary>
    public const Jt808AdditionalItemState Taken = (Jt808AdditionalItemState)(-1);

    public uint Mileage;
    public ushort Fuel;
    public ushort RecorderSpeed;
    public byte Signal;
    public byte Satellites;
    public Seen Flags;

    [Flags]
    public enum Seen : byte
    {
        None = 0,
        Mileage = 1,
        Fuel = 2,
        RecorderSpeed = 4,
        Signal = 8,
        Satellites = 16,
    }

    /// <summary>Reads the item at <paramref name="offset"/> and moves past it (to the end of the input when cut off).</summary>
    public Jt808AdditionalItemState Next(ReadOnlySpan<byte> items, ref int offset, out byte id, out int declared)
    {
        id = items[offset];
        int remaining = items.Length - offset;
        if (remaining < 2)
        {
            declared = 0;
            offset = items.Length;
            return Jt808AdditionalItemState.Truncated;
        }

        declared = items[offset + 1];
        if (declared > remaining - 2)
        {
            offset = items.Length;
            return Jt808AdditionalItemState.Truncated;
        }

        var value = items.Slice(offset + 2, declared);
        offset += declared + 2;
        switch (id)
        {
            case Jt808LocationReport.MileageItemId:
                return Claim(Seen.Mileage, declared == 4, ref Mileage, declared == 4 ? BinaryPrimitives.ReadUInt32BigEndian(value) : 0);
            case Jt808LocationReport.FuelItemId:
                return Claim(Seen.Fuel, declared == 2, ref Fuel, declared == 2 ? BinaryPrimitives.ReadUInt16BigEndian(value) : (ushort)0);
            case Jt808LocationReport.RecorderSpeedItemId:
                return Claim(Seen.RecorderSpeed, declared == 2, ref RecorderSpeed, declared == 2 ? BinaryPrimitives.ReadUInt16BigEndian(value) : (ushort)0);
            case Jt808LocationReport.SignalStrengthItemId:
                return Claim(Seen.Signal, declared == 1, ref Signal, declared == 1 ? value[0] : (byte)0);
            case Jt808LocationReport.GnssSatellitesItemId:
                return Claim(Seen.Satellites, declared == 1, ref Satellites, declared == 1 ? value[0] : (byte)0);
            default:
                return Jt808AdditionalItemState.Undecoded;
        }
    }

    private Jt808AdditionalItemState Claim<T>(Seen flag, bool rightLength, ref T slot, T value)
        where T : struct
    {
        if (!rightLength)
        {
            return Jt808AdditionalItemState.WrongLength;
        }

        if ((Flags & flag) != 0)
        {
            return Jt808AdditionalItemState.Duplicate;
        }

        Flags |= flag;
        slot = value;
        return Taken;
    }
}
