using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

public enum Jt808BatchLocationType : byte
{
    /// <summary>Normal batch of positions.</summary>
    Normal = 0,

    /// <summary>Blind-area catch-up (盲区补报): positions stored while out of coverage.</summary>
    BlindArea = 1,
}

/// <summary>An item of a 0x0704 batch that could not be decoded, kept raw with the reason.</summary>
public readonly record struct Jt808MalformedBatchItem(int Index, string Reason, ReadOnlyMemory<byte> Raw);

/// <summary>
/// 0x0704 batch / blind-area location upload: count, type, then items of (length WORD, location body).
/// A broken item becomes a <see cref="Jt808MalformedBatchItem"/>; the items before it are kept.
/// </summary>
public sealed record Jt808LocationBatchUpload(
    Jt808BatchLocationType Type,
    int DeclaredCount,
    IReadOnlyList<Jt808LocationReport> Locations,
    IReadOnlyList<Jt808MalformedBatchItem> MalformedItems)
{
    public static bool TryDecode(ReadOnlySpan<byte> body, [NotNullWhen(true)] out Jt808LocationBatchUpload? batch, [NotNullWhen(false)] out string? error)
    {
        batch = null;
        if (body.Length < 3)
        {
            error = $"batch location upload has {body.Length} bytes; needs count and type (3)";
            return false;
        }

        int declaredCount = BinaryPrimitives.ReadUInt16BigEndian(body);
        var locations = new List<Jt808LocationReport>(Math.Min(declaredCount, 64));
        List<Jt808MalformedBatchItem>? malformed = null;

        // One copy for the whole batch: every location's raw items and every malformed item are slices of it.
        ReadOnlyMemory<byte> owned = body.ToArray();
        int offset = 3;
        for (int index = 0; offset < body.Length; index++)
        {
            int remaining = body.Length - offset;
            if (remaining < 2)
            {
                (malformed ??= []).Add(new(index, "item length field is cut off", owned[offset..]));
                break;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(body[offset..]);
            if (length > remaining - 2)
            {
                (malformed ??= []).Add(new(index, $"item declares {length} bytes but {remaining - 2} remain", owned[offset..]));
                break;
            }

            var item = owned.Slice(offset + 2, length);
            if (Jt808LocationReport.TryDecode(item, borrowed: false, out var location, out string? itemError))
            {
                locations.Add(location);
            }
            else
            {
                (malformed ??= []).Add(new(index, itemError, item));
            }

            offset += 2 + length;
        }

        batch = new Jt808LocationBatchUpload((Jt808BatchLocationType)body[2], declaredCount, locations, (IReadOnlyList<Jt808MalformedBatchItem>?)malformed ?? []);
        error = null;
        return true;
    }
}
