using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// 0x8800 multimedia data upload reply (多媒体数据上传应答): the media id of the 0x0801 it answers, then the
/// count (BYTE) and the 1-based sub-package indices (WORD each) the terminal must send again.
/// <para>
/// All packets received: 2013 and 2019 say "如收到全部数据包则没有后续字段", so the body is the media id alone
/// (4 bytes); 2011 has no such rule and the body carries a count of 0 (5 bytes). This is what SmallChi/JT808
/// sends too. <see cref="TryDecode"/> accepts either form in every edition.
/// </para>
/// </summary>
public sealed record Jt808MultimediaDataUploadReply(uint MediaId, IReadOnlyList<ushort> RetransmitPacketIds) : IJt808OutboundBody
{
    /// <summary>The count is a BYTE.</summary>
    public const int MaxRetransmitPackets = byte.MaxValue;

    /// <summary>All packets received, nothing to send again.</summary>
    public Jt808MultimediaDataUploadReply(uint mediaId)
        : this(mediaId, [])
    {
    }

    public ushort MessageId => Jt808MessageIds.MultimediaDataUploadReply;

    public int GetBodyLength(Jt808Edition edition)
    {
        ArgumentNullException.ThrowIfNull(RetransmitPacketIds);
        if (RetransmitPacketIds.Count > MaxRetransmitPackets)
        {
            throw new ArgumentException(
                $"0x8800 lists at most {MaxRetransmitPackets} packets (the count is a BYTE); got {RetransmitPacketIds.Count}. Ask for the rest in a later reply.");
        }

        return OmitsCount(edition) ? 4 : 5 + (2 * RetransmitPacketIds.Count);
    }

    public int WriteBody(Span<byte> destination, Jt808Edition edition)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, MediaId);
        if (OmitsCount(edition))
        {
            return 4;
        }

        destination[4] = (byte)RetransmitPacketIds.Count;
        int offset = 5;
        foreach (ushort id in RetransmitPacketIds)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], id);
            offset += 2;
        }

        return offset;
    }

    public static bool TryDecode(ReadOnlySpan<byte> body, [NotNullWhen(true)] out Jt808MultimediaDataUploadReply? reply, [NotNullWhen(false)] out string? error)
    {
        reply = null;
        if (body.Length < 4)
        {
            error = $"0x8800 has {body.Length} bytes; needs the 4-byte media id";
            return false;
        }

        uint mediaId = BinaryPrimitives.ReadUInt32BigEndian(body);
        if (body.Length == 4)
        {
            reply = new Jt808MultimediaDataUploadReply(mediaId);
            error = null;
            return true;
        }

        int count = body[4];
        var list = body[5..];
        if (list.Length != 2 * count)
        {
            error = $"0x8800 declares {count} packets but carries {list.Length} list bytes";
            return false;
        }

        var ids = new ushort[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = BinaryPrimitives.ReadUInt16BigEndian(list[(2 * i)..]);
        }

        reply = new Jt808MultimediaDataUploadReply(mediaId, ids);
        error = null;
        return true;
    }

    private bool OmitsCount(Jt808Edition edition) => RetransmitPacketIds.Count == 0 && edition != Jt808Edition.V2011;
}
