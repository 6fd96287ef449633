namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// The message header (消息头). Body properties: bits 0-9 body length, 10-12 encryption
/// (bit 10 = RSA), 13 sub-package, 14 version flag (2019), 15 reserved.
/// </summary>
public readonly struct Jt808Header
{
    public const int Length2013 = 12;
    public const int Length2019 = 17;
    public const int SubPackageFieldsLength = 4;
    public const int MaxBodyLength = 0x03FF;

    internal const ushort BodyLengthMask = 0x03FF;
    internal const ushort EncryptionMask = 0x1C00;
    internal const ushort SubPackageBit = 0x2000;
    internal const ushort VersionFlagBit = 0x4000;

    public ushort MessageId { get; init; }

    /// <summary>The raw body properties word (消息体属性).</summary>
    public ushort BodyProperties { get; init; }

    /// <summary>Protocol version byte of the 2019 header; 0 for the 2011/2013 layout.</summary>
    public byte ProtocolVersion { get; init; }

    public Jt808TerminalPhone Phone { get; init; }

    /// <summary>Message flow number (消息流水号), counted by the sender from 0, wrapping at 65535.</summary>
    public ushort FlowNumber { get; init; }

    /// <summary>Total sub-packages; 0 when <see cref="IsSubPackage"/> is false.</summary>
    public ushort SubPackageCount { get; init; }

    /// <summary>1-based index of this sub-package; 0 when <see cref="IsSubPackage"/> is false.</summary>
    public ushort SubPackageIndex { get; init; }

    /// <summary>
    /// True when bit 14 is set but the frame only fits the 2013 header (no version byte,
    /// 6-byte phone); some 2013 devices set the bit anyway. Such frames are read as 2013.
    /// </summary>
    public bool IsVersionFlagQuirk { get; init; }

    public int BodyLength => BodyProperties & BodyLengthMask;

    /// <summary>Bits 10-12: 0 none, 1 RSA, other values reserved.</summary>
    public int EncryptionMode => (BodyProperties & EncryptionMask) >> 10;

    public bool IsEncrypted => EncryptionMode != 0;

    public bool IsSubPackage => (BodyProperties & SubPackageBit) != 0;

    public bool HasVersionFlag => (BodyProperties & VersionFlagBit) != 0;

    public bool Uses2019Layout => HasVersionFlag && !IsVersionFlagQuirk;

    /// <summary>2019 from the version flag; otherwise 2013 (2011 shares the header, see <see cref="Jt808Edition"/>).</summary>
    public Jt808Edition Edition => Uses2019Layout ? Jt808Edition.V2019 : Jt808Edition.V2013;

    public int Length => (Uses2019Layout ? Length2019 : Length2013) + (IsSubPackage ? SubPackageFieldsLength : 0);
}
