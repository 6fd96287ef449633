namespace TransportBrain.Fleet.Gateway;

/// <summary>What the gateway has seen since start, for /api/v1/fleet/gateway and the logs. Updated with Interlocked.</summary>
public sealed class GatewayCounters
{
    public long ConnectionsAccepted;
    public long ConnectionsRefused;
    public long ConnectionsClosed;
    public long IdleTimeouts;
    public long AuthTimeouts;
    public long FramesReceived;
    public long BytesReceived;
    public long FrameErrors;
    public long ChecksumErrors;
    public long OversizedFrames;
    public long BodyErrors;
    public long UnknownMessages;
    public long Unauthenticated;
    public long Registrations;
    public long RegistrationsRefused;
    public long Authentications;
    public long AuthenticationFailures;
    public long Heartbeats;
    public long PositionsReceived;
    public long PositionsStored;
    public long PositionsQuarantined;
    public long PositionsDuplicate;
    public long GroupCommits;
    public long StoreFailures;
    public long AcksSent;
    public long MediaFiles;
    public long TransparentMessages;
    public long SubPackages;
    public long ResendRequests;
    public long SendQueueOverflows;
    public string? LastStoreError;

    public IReadOnlyDictionary<string, long> Snapshot() => new Dictionary<string, long>
    {
        ["connectionsAccepted"] = Interlocked.Read(ref ConnectionsAccepted),
        ["connectionsRefused"] = Interlocked.Read(ref ConnectionsRefused),
        ["connectionsClosed"] = Interlocked.Read(ref ConnectionsClosed),
        ["idleTimeouts"] = Interlocked.Read(ref IdleTimeouts),
        ["authTimeouts"] = Interlocked.Read(ref AuthTimeouts),
        ["framesReceived"] = Interlocked.Read(ref FramesReceived),
        ["bytesReceived"] = Interlocked.Read(ref BytesReceived),
        ["frameErrors"] = Interlocked.Read(ref FrameErrors),
        ["checksumErrors"] = Interlocked.Read(ref ChecksumErrors),
        ["oversizedFrames"] = Interlocked.Read(ref OversizedFrames),
        ["bodyErrors"] = Interlocked.Read(ref BodyErrors),
        ["unknownMessages"] = Interlocked.Read(ref UnknownMessages),
        ["unauthenticated"] = Interlocked.Read(ref Unauthenticated),
        ["registrations"] = Interlocked.Read(ref Registrations),
        ["registrationsRefused"] = Interlocked.Read(ref RegistrationsRefused),
        ["authentications"] = Interlocked.Read(ref Authentications),
        ["authenticationFailures"] = Interlocked.Read(ref AuthenticationFailures),
        ["heartbeats"] = Interlocked.Read(ref Heartbeats),
        ["positionsReceived"] = Interlocked.Read(ref PositionsReceived),
        ["positionsStored"] = Interlocked.Read(ref PositionsStored),
        ["positionsQuarantined"] = Interlocked.Read(ref PositionsQuarantined),
        ["positionsDuplicate"] = Interlocked.Read(ref PositionsDuplicate),
        ["groupCommits"] = Interlocked.Read(ref GroupCommits),
        ["storeFailures"] = Interlocked.Read(ref StoreFailures),
        ["acksSent"] = Interlocked.Read(ref AcksSent),
        ["mediaFiles"] = Interlocked.Read(ref MediaFiles),
        ["transparentMessages"] = Interlocked.Read(ref TransparentMessages),
        ["subPackages"] = Interlocked.Read(ref SubPackages),
        ["resendRequests"] = Interlocked.Read(ref ResendRequests),
        ["sendQueueOverflows"] = Interlocked.Read(ref SendQueueOverflows),
    };
}
