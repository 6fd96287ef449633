using System.Numerics;

namespace TransportBrain.Hub.Storage.Postgres;

/// <summary>
/// The unique keys of one chunk's rows, each with the first row that has it: an open-addressing table of
/// row numbers whose key bytes stay in the chunk's blocks (<see cref="PostgresEncodedRows"/>). The writer
/// builds one per chunk, looks the keys of later chunks up in it while the chunk is in flight, and reuses
/// it for a later chunk: no object per key, and a lookup is a hash compare and, on a match, one byte compare.
/// </summary>
internal sealed class ChunkKeys
{
    private readonly List<int> _firstRows = [];
    private int[] _slots = [];
    private int[] _hashes = [];
    private int _shift;
    private PostgresEncodedRows? _rows;

    /// <summary>The rows that hold the first occurrence of each key, in row order.</summary>
    public IReadOnlyList<int> FirstRows => _firstRows;

    public int Count => _firstRows.Count;

    /// <summary>
    /// Fills the table with the keys of <paramref name="rows"/> and marks in <paramref name="duplicate"/>
    /// each row whose key repeats an earlier row's. Rows without a key (a null part) are left out: such a
    /// key never conflicts in PostgreSQL's unique index.
    /// </summary>
    public void Build(PostgresEncodedRows rows, bool[] duplicate)
    {
        // At most half full, so a probe sequence stays short.
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, rows.Count * 2));
        if (_slots.Length != capacity)
        {
            _slots = new int[capacity];
            _hashes = new int[capacity];
            _shift = 32 - BitOperations.Log2((uint)capacity);
        }
        else
        {
            Array.Clear(_slots);
        }
        _rows = rows;
        _firstRows.Clear();
        for (var r = 0; r < rows.Count; r++)
        {
            if (!rows.HasKey(r))
            {
                continue;
            }
            var hash = rows.KeyHash(r);
            var key = rows.KeyBytes(r);
            var slot = SlotOf(hash);
            while (true)
            {
                var occupant = _slots[slot] - 1;
                if (occupant < 0)
                {
                    _slots[slot] = r + 1;
                    _hashes[slot] = hash;
                    _firstRows.Add(r);
                    break;
                }
                if (_hashes[slot] == hash && rows.KeyBytes(occupant).SequenceEqual(key))
                {
                    duplicate[r] = true;
                    break;
                }
                slot = (slot + 1) & (_slots.Length - 1);
            }
        }
    }

    /// <summary>The first row with this key (bytes and hash as <see cref="PostgresEncodedRows"/> encodes them), or -1.</summary>
    public int Find(ReadOnlySpan<byte> key, int hash)
    {
        if (_rows is not { } rows || _firstRows.Count == 0)
        {
            return -1;
        }
        var slot = SlotOf(hash);
        while (true)
        {
            var occupant = _slots[slot] - 1;
            if (occupant < 0)
            {
                return -1;
            }
            if (_hashes[slot] == hash && rows.KeyBytes(occupant).SequenceEqual(key))
            {
                return occupant;
            }
            slot = (slot + 1) & (_slots.Length - 1);
        }
    }

    /// <summary>Forgets the chunk (its blocks are about to be reused); the table's arrays are kept for the next one.</summary>
    public void Release()
    {
        _rows = null;
        _firstRows.Clear();
    }

    /// <summary>Fibonacci hashing: the multiplied hash's top bits, so that any bit of the hash moves the slot.</summary>
    private int SlotOf(int hash) => (int)(((uint)hash * 0x9E3779B9u) >> _shift);
}
