using System.Buffers.Binary;
using System.Numerics;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Hub.Storage.Postgres;

/// <summary>
/// The partition PostgreSQL's hash partitioning puts a unique key in, computed in the client from the key's
/// encoded bytes (<see cref="PostgresEncodedRows"/>), so that the writer can send each partition's rows on
/// a connection of its own. PostgreSQL still routes every row itself (the writer COPYs into the parent
/// table): a wrong answer here would only cost speed, never put a row in the wrong place.
/// <para>
/// What the server does (PostgreSQL 11 and later, default operator classes, deterministic collations):
/// every non-null key part is hashed with the extended hash of its type and the seed
/// 0x7A5B22367996DCFD (text: Bob Jenkins' lookup3 over the UTF-8 bytes, returning b:c as 64 bits; bigint
/// and timestamptz: the two 32-bit halves folded into one, then the same hash of that word), the part
/// hashes are folded left to right from 0 with <c>a ^= b + 0x49a0f4dd15e5a8e3 + (a &lt;&lt; 54) + (a &gt;&gt; 7)</c>,
/// and the partition is that unsigned value modulo the modulus.
/// </para>
/// </summary>
internal static class PostgresPartitionHash
{
    private const ulong PartitionSeed = 0x7A5B22367996DCFD;

    /// <summary>Whether PostgreSQL's hash of every part of such a key is computed here (text, bigint, timestamptz).</summary>
    public static bool Supports(IEnumerable<FieldType> keyTypes) =>
        keyTypes.All(t => t is FieldType.String or FieldType.Int64 or FieldType.Instant);

    /// <summary>
    /// The remainder (0 ≤ r &lt; <paramref name="modulus"/>) of a key encoded as <see cref="PostgresEncodedRows"/>
    /// encodes one: per part a big-endian length, then the value in binary COPY format.
    /// </summary>
    public static int Remainder(ReadOnlySpan<byte> key, ReadOnlySpan<FieldType> types, int modulus)
    {
        ulong row = 0;
        for (var k = 0; k < types.Length && !key.IsEmpty; k++)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(key);
            var value = key.Slice(4, length);
            var part = types[k] == FieldType.String ? Bytes(value, PartitionSeed) : Int64(BinaryPrimitives.ReadInt64BigEndian(value), PartitionSeed);
            row ^= part + 0x49a0f4dd15e5a8e3UL + (row << 54) + (row >> 7);
            key = key[(4 + length)..];
        }
        return (int)(row % (ulong)modulus);
    }

    /// <summary>PostgreSQL's <c>hashtextextended</c> of UTF-8 bytes (<c>hash_bytes_extended</c>).</summary>
    public static ulong Bytes(ReadOnlySpan<byte> data, ulong seed)
    {
        uint a, b, c;
        a = b = c = 0x9e3779b9u + (uint)data.Length + 3923095u;
        if (seed != 0)
        {
            a += (uint)(seed >> 32);
            b += (uint)seed;
            Mix(ref a, ref b, ref c);
        }
        while (data.Length >= 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(data);
            b += BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
            Mix(ref a, ref b, ref c);
            data = data[12..];
        }
        // The last 0-11 bytes fill a, then b, then c from its second byte: c's lowest byte holds the length.
        for (var i = 0; i < data.Length; i++)
        {
            var shifted = (uint)data[i] << (8 * (i % 4));
            if (i < 4)
            {
                a += shifted;
            }
            else if (i < 8)
            {
                b += shifted;
            }
            else
            {
                c += (uint)data[i] << (8 * (i - 7));
            }
        }
        Final(ref a, ref b, ref c);
        return ((ulong)b << 32) | c;
    }

    /// <summary>PostgreSQL's <c>hashint8extended</c> (also timestamptz's, over its microseconds).</summary>
    public static ulong Int64(long value, ulong seed)
    {
        var low = (uint)value;
        var high = (uint)(value >> 32);
        low ^= value >= 0 ? high : ~high;
        uint a, b, c;
        a = b = c = 0x9e3779b9u + sizeof(uint) + 3923095u;
        if (seed != 0)
        {
            a += (uint)(seed >> 32);
            b += (uint)seed;
            Mix(ref a, ref b, ref c);
        }
        a += low;
        Final(ref a, ref b, ref c);
        return ((ulong)b << 32) | c;
    }

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
    }
}
