using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// 0x8003 re-request of missing sub-packages (补传分包请求): the flow number of the first
/// sub-package of the original message and the 1-based indices wanted again. The count is a
/// BYTE before 2019 and a WORD in 2019.
/// </summary>
public sealed record Jt808ResendSubPackagesRequest(ushort FirstFlowNumber, IReadOnlyList<ushort> PackageIndices) : IJt808OutboundBody
{
    public ushort MessageId => Jt808MessageIds.ResendSubPackagesRequest;

    public int GetBodyLength(Jt808Edition edition)
    {
        // 2019: a WORD count, so the 1023-byte body is the limit; before 2019 the count is a BYTE.
        int maxCount = edition == Jt808Edition.V2019 ? (Jt808Header.MaxBodyLength - 4) / 2 : byte.MaxValue;
        if (PackageIndices.Count > maxCount)
        {
            throw new ArgumentException($"A {edition} 0x8003 lists at most {maxCount} indices (body limit); got {PackageIndices.Count}. Split the request.");
        }

        return 2 + CountLength(edition) + (2 * PackageIndices.Count);
    }

    public int WriteBody(Span<byte> destination, Jt808Edition edition)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, FirstFlowNumber);
        int offset = 2;
        if (edition == Jt808Edition.V2019)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)PackageIndices.Count);
            offset += 2;
        }
        else
        {
            destination[offset++] = (byte)PackageIndices.Count;
        }

        foreach (ushort index in PackageIndices)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], index);
            offset += 2;
        }

        return offset;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, Jt808Edition edition, [NotNullWhen(true)] out Jt808ResendSubPackagesRequest? request, [NotNullWhen(false)] out string? error)
    {
        request = null;
        int countLength = CountLength(edition);
        if (body.Length < 2 + countLength)
        {
            error = $"{edition} 0x8003 has {body.Length} bytes; needs {2 + countLength} before the list";
            return false;
        }

        int count = edition == Jt808Edition.V2019 ? BinaryPrimitives.ReadUInt16BigEndian(body[2..]) : body[2];
        var list = body[(2 + countLength)..];
        if (list.Length != 2 * count)
        {
            error = $"0x8003 declares {count} indices but carries {list.Length} list bytes";
            return false;
        }

        var indices = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = BinaryPrimitives.ReadUInt16BigEndian(list[(2 * i)..]);
        }

        request = new Jt808ResendSubPackagesRequest(BinaryPrimitives.ReadUInt16BigEndian(body), indices);
        error = null;
        return true;
    }

    private static int CountLength(Jt808Edition edition) => edition == Jt808Edition.V2019 ? 2 : 1;
}
