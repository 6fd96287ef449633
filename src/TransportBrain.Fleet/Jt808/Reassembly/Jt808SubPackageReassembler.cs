namespace TransportBrain.Fleet.Jt808;

/// <summary>
/// Identifies one sub-packaged message: terminal, message id, and the flow number of its first
/// sub-package (the number 0x8003 quotes when asking for parts again).
/// </summary>
public readonly record struct Jt808SubPackageKey(Jt808TerminalPhone Phone, ushort MessageId, ushort FirstFlowNumber);

/// <summary>Limits for <see cref="Jt808SubPackageReassembler"/>; every one bounds memory held for untrusted senders.</summary>
public sealed class Jt808ReassemblyOptions
{
    /// <summary>Messages assembled at once; the least recently active is evicted to admit a new one.</summary>
    public int MaxPendingPackages { get; init; } = 64;

    /// <summary>Largest sub-package count accepted; one message then holds at most this × 1023 bytes.</summary>
    public int MaxPartsPerPackage { get; init; } = 4096;

    /// <summary>Bytes held across all pending messages.</summary>
    public long MaxBufferedBytes { get; init; } = 16L * 1024 * 1024;

    /// <summary>Quiet time after the last part (or the last 0x8003) before missing parts are reported.</summary>
    public TimeSpan PartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Rounds of 0x8003 per message before it is abandoned.</summary>
    public int MaxResendRequests { get; init; } = 3;

    /// <summary>
    /// How many other messages a terminal may send between the sub-packages of one message (or before
    /// resending a part) and still have the part joined when its flow number no longer matches exactly.
    /// </summary>
    public int MaxInterleavedFlowGap { get; init; } = 256;
}

public enum Jt808ReassemblyStatus
{
    /// <summary>Stored; more parts are needed.</summary>
    Incomplete,

    /// <summary>All parts are in; <see cref="Jt808ReassemblyResult.Body"/> holds the joined body.</summary>
    Completed,

    /// <summary>This index was already stored; the first copy is kept.</summary>
    Duplicate,

    /// <summary>Not stored; see <see cref="Jt808ReassemblyResult.Reason"/>.</summary>
    Rejected,
}

public readonly record struct Jt808ReassemblyResult(Jt808ReassemblyStatus Status, Jt808SubPackageKey Key, ReadOnlyMemory<byte> Body, string? Reason);

/// <summary>A message still missing parts after the timeout; send <see cref="ToResendRequest"/> unless abandoned.</summary>
public sealed record Jt808OverduePackage(Jt808SubPackageKey Key, IReadOnlyList<ushort> MissingIndices, bool Abandoned)
{
    public Jt808ResendSubPackagesRequest ToResendRequest() => new(Key.FirstFlowNumber, MissingIndices);
}

/// <summary>
/// Joins sub-packages (header bit 13) into whole bodies. Parts are matched by
/// (terminal, message id, first flow number = flow number − index + 1). Devices that interleave
/// other messages between parts, or resend a part with a new flow number, break that arithmetic, so a
/// part with index above 1 and no exact match joins the one pending message of the same terminal, id and
/// count that still misses that index and whose first flow number precedes the part's by no more than
/// <see cref="Jt808ReassemblyOptions.MaxInterleavedFlowGap"/> beyond the index. Two candidates, or none,
/// start a new message instead of guessing. Not thread-safe: use one per connection or lock around it.
/// </summary>
public sealed class Jt808SubPackageReassembler
{
    private readonly Jt808ReassemblyOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<Jt808SubPackageKey, PendingPackage> _pending = [];

    public Jt808SubPackageReassembler(Jt808ReassemblyOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? new Jt808ReassemblyOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxPendingPackages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxPartsPerPackage, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBufferedBytes, (long)Jt808Header.MaxBodyLength);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxResendRequests, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxInterleavedFlowGap, 0);
        _time = timeProvider ?? TimeProvider.System;
    }

    public int PendingCount => _pending.Count;

    public long BufferedBytes { get; private set; }

    /// <summary>Messages dropped to make room, a sign of a misbehaving terminal or limits set too low.</summary>
    public long EvictedPackages { get; private set; }

    public Jt808ReassemblyResult Add(in Jt808Header header, ReadOnlySpan<byte> body)
    {
        if (!header.IsSubPackage)
        {
            return Rejected(default, "the header does not have the sub-package bit set");
        }

        ushort count = header.SubPackageCount;
        ushort index = header.SubPackageIndex;
        var key = new Jt808SubPackageKey(header.Phone, header.MessageId, (ushort)(header.FlowNumber - (index - 1)));
        if (count == 0 || index == 0 || index > count)
        {
            return Rejected(key, $"sub-package index {index} of {count} is out of range");
        }

        if (count > _options.MaxPartsPerPackage)
        {
            return Rejected(key, $"{count} sub-packages exceed the limit of {_options.MaxPartsPerPackage}");
        }

        var now = _time.GetUtcNow();
        if (!_pending.TryGetValue(key, out var package))
        {
            package = index > 1 ? FindInterleaved(header.Phone, header.MessageId, count, index, header.FlowNumber) : null;
            if (package is null)
            {
                if (!MakeRoom(body.Length, keep: null, admitNew: true))
                {
                    return Rejected(key, "no room for another pending message");
                }

                package = new PendingPackage(key, count, now);
                _pending.Add(key, package);
            }
        }

        if (package.Parts.Length != count)
        {
            return Rejected(package.Key, $"sub-package count {count} differs from the {package.Parts.Length} announced earlier");
        }

        if (package.Parts[index - 1] is not null)
        {
            return new Jt808ReassemblyResult(Jt808ReassemblyStatus.Duplicate, package.Key, default, null);
        }

        if (!MakeRoom(body.Length, keep: package, admitNew: false))
        {
            return Rejected(package.Key, $"buffered bytes would exceed {_options.MaxBufferedBytes}");
        }

        package.Parts[index - 1] = body.ToArray();
        package.Received++;
        package.Bytes += body.Length;
        package.LastActivity = now;
        BufferedBytes += body.Length;
        if (package.Received < count)
        {
            return new Jt808ReassemblyResult(Jt808ReassemblyStatus.Incomplete, package.Key, default, null);
        }

        Remove(package);
        byte[] joined = new byte[package.Bytes];
        int offset = 0;
        foreach (byte[]? part in package.Parts)
        {
            part!.CopyTo(joined, offset);
            offset += part.Length;
        }

        return new Jt808ReassemblyResult(Jt808ReassemblyStatus.Completed, package.Key, joined, null);
    }

    /// <summary>
    /// Messages quiet for <see cref="Jt808ReassemblyOptions.PartTimeout"/>, with the indices still missing.
    /// Each report restarts the timer; after <see cref="Jt808ReassemblyOptions.MaxResendRequests"/> reports
    /// the message is dropped and reported as abandoned.
    /// </summary>
    public IReadOnlyList<Jt808OverduePackage> CollectOverdue()
    {
        var now = _time.GetUtcNow();
        List<Jt808OverduePackage>? overdue = null;
        List<PendingPackage>? abandoned = null;
        foreach (var package in _pending.Values)
        {
            if (now - package.LastActivity < _options.PartTimeout)
            {
                continue;
            }

            var missing = new List<ushort>();
            for (int i = 0; i < package.Parts.Length; i++)
            {
                if (package.Parts[i] is null)
                {
                    missing.Add((ushort)(i + 1));
                }
            }

            bool abandon = package.ResendRequests >= _options.MaxResendRequests;
            (overdue ??= []).Add(new Jt808OverduePackage(package.Key, missing, abandon));
            if (abandon)
            {
                (abandoned ??= []).Add(package);
            }
            else
            {
                package.ResendRequests++;
                package.LastActivity = now;
            }
        }

        foreach (var package in abandoned ?? [])
        {
            Remove(package);
        }

        return (IReadOnlyList<Jt808OverduePackage>?)overdue ?? [];
    }

    /// <summary>Drops everything pending for a terminal, for example when its connection closes.</summary>
    public int Forget(Jt808TerminalPhone phone)
    {
        var doomed = _pending.Values.Where(p => p.Key.Phone == phone).ToList();
        foreach (var package in doomed)
        {
            Remove(package);
        }

        return doomed.Count;
    }

    private PendingPackage? FindInterleaved(Jt808TerminalPhone phone, ushort messageId, ushort count, ushort index, ushort flowNumber)
    {
        PendingPackage? match = null;
        foreach (var package in _pending.Values)
        {
            // Flow numbers wrap at 65535, so the distance is taken modulo 2^16.
            int gap = (ushort)(flowNumber - package.Key.FirstFlowNumber) - (index - 1);
            if (package.Key.Phone == phone && package.Key.MessageId == messageId
                && package.Parts.Length == count && package.Parts[index - 1] is null
                && gap > 0 && gap <= _options.MaxInterleavedFlowGap)
            {
                if (match is not null)
                {
                    return null; // Ambiguous: start a new message rather than guess.
                }

                match = package;
            }
        }

        return match;
    }

    private bool MakeRoom(int incomingBytes, PendingPackage? keep, bool admitNew)
    {
        while ((admitNew && _pending.Count >= _options.MaxPendingPackages) || BufferedBytes + incomingBytes > _options.MaxBufferedBytes)
        {
            PendingPackage? oldest = null;
            foreach (var package in _pending.Values)
            {
                if (package != keep && (oldest is null || package.LastActivity < oldest.LastActivity))
                {
                    oldest = package;
                }
            }

            if (oldest is null)
            {
                return false;
            }

            Remove(oldest);
            EvictedPackages++;
        }

        return true;
    }

    private void Remove(PendingPackage package)
    {
        _pending.Remove(package.Key);
        BufferedBytes -= package.Bytes;
    }

    private static Jt808ReassemblyResult Rejected(Jt808SubPackageKey key, string reason) =>
        new(Jt808ReassemblyStatus.Rejected, key, default, reason);

    private sealed class PendingPackage(Jt808SubPackageKey key, ushort count, DateTimeOffset now)
    {
        public Jt808SubPackageKey Key { get; } = key;

        public byte[]?[] Parts { get; } = new byte[]?[count];

        public int Received { get; set; }

        public int Bytes { get; set; }

        public int ResendRequests { get; set; }

        public DateTimeOffset LastActivity { get; set; } = now;
    }
}
