using System.Buffers.Binary;
using System.Numerics;

namespace TransportBrain.Hub.Storage;

/// <summary>
/// A fast hash of short byte strings (cell texts, encoded keys) for in-process tables that hold one
/// import's data, eight bytes per step. Seeded at random per process, as <see cref="HashCode"/> is, so
/// that a file or a pushed batch cannot be made of keys that all fall in one bucket.
/// </summary>
internal static class ByteHash
{
    private const ulong Multiplier = 0x9E3779B97F4A7C15;
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64() | 1;

    public static ulong Of(ReadOnlySpan<byte> bytes)
    {
        var hash = Seed ^ ((ulong)bytes.Length * Multiplier);
        while (bytes.Length >= 8)
        {
            hash = Mix(hash, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
            bytes = bytes[8..];
        }
        if (bytes.Length > 0)
        {
            ulong tail = 0;
            for (var i = 0; i < bytes.Length; i++)
            {
                tail |= (ulong)bytes[i] << (8 * i);
            }
            hash = Mix(hash, tail);
        }
        // Fold the high bits down: callers take the low bits as a slot.
        return hash ^ (hash >> 29) ^ (hash >> 47);
    }

    private static ulong Mix(ulong hash, ulong word) => BitOperations.RotateLeft((hash ^ word) * Multiplier, 31);
}
