namespace TransportBrain.Fleet.Jt808;

/// <summary>Message ids this codec knows by name. Terminal → platform ids start with 0x0, platform → terminal with 0x8.</summary>
public static class Jt808MessageIds
{
    public const ushort TerminalGeneralReply = 0x0001;
    public const ushort Heartbeat = 0x0002;
    public const ushort Deregistration = 0x0003;
    public const ushort TerminalRegistration = 0x0100;
    public const ushort TerminalAuthentication = 0x0102;
    public const ushort TerminalParametersReply = 0x0104;
    public const ushort LocationReport = 0x0200;
    public const ushort LocationQueryReply = 0x0201;
    public const ushort LocationBatchUpload = 0x0704;
    public const ushort MultimediaDataUpload = 0x0801;
    public const ushort TransparentData = 0x0900;

    public const ushort PlatformGeneralReply = 0x8001;
    public const ushort ResendSubPackagesRequest = 0x8003;
    public const ushort RegistrationReply = 0x8100;
    public const ushort SetTerminalParameters = 0x8103;
    public const ushort QueryLocation = 0x8201;
    public const ushort TextMessage = 0x8300;
    public const ushort MultimediaDataUploadReply = 0x8800;
}
