using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Supervision;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Fleet.Gateway;

/// <summary>A terminal as the platform knows it: which vehicle it sits in and the auth code it was given.</summary>
public sealed record TerminalInfo
{
    public required string TerminalId { get; init; }
    public string? Plate { get; init; }
    public int PlateColor { get; init; }
    public VehicleCategory Category { get; init; }
    /// <summary>Set when the terminal has registered (0x0100); null for a provisioned terminal that has not.</summary>
    public string? AuthCode { get; init; }
    public int ProvinceId { get; init; }
    public int CityId { get; init; }
    public string? MakerId { get; init; }
    public string? Model { get; init; }
    public string? DeviceId { get; init; }
    public int? Edition { get; init; }
    /// <summary>True when an operator declared the vehicle (plate, category) before the terminal registered.</summary>
    public bool Provisioned { get; init; }
    public DateTimeOffset? RegisteredAt { get; init; }
    public DateTimeOffset? LastAuthenticatedAt { get; init; }
}

public sealed class TerminalRegistryOptions
{
    /// <summary>
    /// When false, only provisioned terminals may register (0x8100 result 4 otherwise): what a
    /// production platform wants. True suits trials and the demo: any terminal registers, category unknown.
    /// </summary>
    public bool AllowUnknownTerminals { get; init; } = true;
}

/// <summary>
/// Binds terminal phone numbers to vehicles (plate, colour, category) and issues auth codes. Kept as
/// hub documents (collection <c>fleet.terminal</c>) and every registration or provisioning appended to
/// the <c>fleet.terminal</c> dataset, so the history is shared like any other data.
/// </summary>
public sealed class TerminalRegistry
{
    public const string Collection = "fleet.terminal";
    internal static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly ConcurrentDictionary<string, TerminalInfo> _terminals = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Changes taken in but not yet stored, and the lock of whoever is storing them.
    private readonly List<PendingSave> _pending = [];
    private readonly SemaphoreSlim _storeLock = new(1, 1);
    // Registered terminals (with an auth code) by plate and colour, so a registration checks "is this
    // vehicle already registered by another terminal" without scanning every terminal. Changed under _writeLock.
    private readonly Dictionary<(string Plate, int Color), HashSet<string>> _registeredByPlate = [];
    private readonly IHubStore _store;
    private readonly LiveIngest _history;
    private readonly TimeProvider _clock;
    private readonly TerminalRegistryOptions _options;

    private TerminalRegistry(IHubStore store, DatasetRegistry registry, TimeProvider clock, TerminalRegistryOptions options)
    {
        _store = store;
        _clock = clock;
        _options = options;
        _history = new LiveIngest(store, registry, FleetDatasets.Terminal, "jt808 gateway: registrations", "json", clock,
            new LiveIngestOptions { RollAfter = TimeSpan.FromDays(1) });
    }

    public static async Task<TerminalRegistry> LoadAsync(IHubStore store, DatasetRegistry registry, TimeProvider clock, TerminalRegistryOptions? options = null, CancellationToken ct = default)
    {
        var r = new TerminalRegistry(store, registry, clock, options ?? new TerminalRegistryOptions());
        await foreach (var d in store.AllDocumentsAsync(Collection, ct: ct))
        {
            if (JsonSerializer.Deserialize<TerminalInfo>(d.Json, Json) is { } info)
            {
                r.Put(d.Key, info);
            }
        }
        return r;
    }

    public int Count => _terminals.Count;

    private void Put(string terminalId, TerminalInfo? info)
    {
        if (_terminals.TryGetValue(terminalId, out var previous) && previous is { Plate: { } oldPlate, AuthCode: not null }
            && _registeredByPlate.TryGetValue((oldPlate, previous.PlateColor), out var holders))
        {
            holders.Remove(terminalId);
            if (holders.Count == 0)
            {
                _registeredByPlate.Remove((oldPlate, previous.PlateColor));
            }
        }
        if (info is null)
        {
            _terminals.TryRemove(terminalId, out _);
            return;
        }
        _terminals[terminalId] = info;
        if (info is { Plate: { } plate, AuthCode: not null })
        {
            if (!_registeredByPlate.TryGetValue((plate, info.PlateColor), out var set))
            {
                _registeredByPlate[(plate, info.PlateColor)] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set.Add(terminalId);
        }
    }

    public TerminalInfo? Find(string terminalId) => _terminals.GetValueOrDefault(terminalId);

    public IEnumerable<TerminalInfo> All => _terminals.Values;

    /// <summary>An operator declares a vehicle and its terminal before (or after) the terminal registers.</summary>
    public async Task<TerminalInfo> ProvisionAsync(string terminalId, string? plate, int plateColor, VehicleCategory category, CancellationToken ct = default)
    {
        if (!Jt808TerminalPhone.TryParse(terminalId, out _))
        {
            throw new ArgumentException($"terminal id '{terminalId}' is not a terminal phone number (1-20 digits)", nameof(terminalId));
        }
        PendingSave save;
        TerminalInfo info;
        TerminalInfo? existing;
        await _writeLock.WaitAsync(ct);
        try
        {
            var now = _clock.GetUtcNow();
            existing = Find(terminalId);
            info = (existing ?? new TerminalInfo { TerminalId = terminalId }) with
            {
                Plate = plate,
                PlateColor = plateColor,
                Category = category,
                Provisioned = true,
            };
            save = Change(info, now, "provisioning");
        }
        finally
        {
            _writeLock.Release();
        }
        await PersistAsync(save, existing, info);
        return info;
    }

    /// <summary>
    /// Handles a 0x0100: decides the result and, on success, the auth code. The registration is answered
    /// only once it is stored; registrations arriving together (a reconnection storm) are stored together.
    /// </summary>
    public async Task<(Jt808RegistrationResult Result, string? AuthCode)> RegisterAsync(string terminalId, Jt808TerminalRegistration reg, CancellationToken ct = default)
    {
        PendingSave save;
        TerminalInfo info;
        TerminalInfo? existing;
        string code;
        await _writeLock.WaitAsync(ct);
        try
        {
            var now = _clock.GetUtcNow();
            existing = Find(terminalId);
            if (existing is null && !_options.AllowUnknownTerminals)
            {
                return (Jt808RegistrationResult.TerminalNotInDatabase, null);
            }
            var plate = string.IsNullOrWhiteSpace(reg.PlateText) ? existing?.Plate : reg.PlateText.Trim();
            if (existing is { Provisioned: true, Plate: { Length: > 0 } provisioned } && plate is not null && !string.Equals(provisioned, plate, StringComparison.Ordinal))
            {
                // The terminal claims another vehicle than the one it was provisioned for.
                return (Jt808RegistrationResult.VehicleNotInDatabase, null);
            }
            if (plate is { Length: > 0 } && reg.PlateColor != Jt808PlateColor.NotPlated &&
                _registeredByPlate.TryGetValue((plate, (int)reg.PlateColor), out var holders) && holders.Any(t => t != terminalId))
            {
                return (Jt808RegistrationResult.VehicleAlreadyRegistered, null);
            }
            code = NewAuthCode();
            info = (existing ?? new TerminalInfo { TerminalId = terminalId, Category = VehicleCategory.Unknown }) with
            {
                Plate = plate,
                PlateColor = (int)reg.PlateColor,
                AuthCode = code,
                ProvinceId = reg.ProvinceId,
                CityId = reg.CityId,
                MakerId = reg.MakerId,
                Model = reg.TerminalModel,
                DeviceId = reg.TerminalId,
                Edition = (int)reg.Edition,
                RegisteredAt = now,
            };
            save = Change(info, now, "registration");
        }
        finally
        {
            _writeLock.Release();
        }
        await PersistAsync(save, existing, info);
        return (Jt808RegistrationResult.Success, code);
    }

    /// <summary>Checks a 0x0102 auth code; constant-time comparison.</summary>
    public bool Authenticate(string terminalId, string authCode)
    {
        if (Find(terminalId) is not { AuthCode: { } expected })
        {
            return false;
        }
        var a = System.Text.Encoding.UTF8.GetBytes(expected);
        var b = System.Text.Encoding.UTF8.GetBytes(authCode);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }

    /// <summary>Removes the auth code (0x0003 deregistration): the terminal must register again.</summary>
    public async Task DeregisterAsync(string terminalId, CancellationToken ct = default)
    {
        PendingSave? save = null;
        TerminalInfo? info;
        TerminalInfo? updated = null;
        await _writeLock.WaitAsync(ct);
        try
        {
            info = Find(terminalId);
            if (info is not null)
            {
                updated = info with { AuthCode = null };
                Put(terminalId, updated);
                save = new PendingSave(terminalId, JsonSerializer.Serialize(updated, Json), null, _clock.GetUtcNow());
            }
        }
        finally
        {
            _writeLock.Release();
        }
        if (save is not null)
        {
            await PersistAsync(save, info, updated!);
        }
    }

    /// <summary>
    /// Takes a change into the registry at once (so the next decision sees it) and returns what has to be
    /// stored: the terminal's document and a <c>fleet.terminal</c> record. Called under <see cref="_writeLock"/>.
    /// </summary>
    private PendingSave Change(TerminalInfo info, DateTimeOffset now, string source)
    {
        Put(info.TerminalId, info);
        var json = JsonSerializer.Serialize(info, Json);
        string?[] texts =
        [
            info.TerminalId,
            Hub.Quality.ValueParser.Format(now),
            info.Plate,
            info.PlateColor.ToString(System.Globalization.CultureInfo.InvariantCulture),
            CategoryName(info.Category),
            info.ProvinceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            info.CityId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            info.MakerId,
            info.Model,
            info.DeviceId,
            info.Edition?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            source,
        ];
        return new PendingSave(info.TerminalId, json, new LiveRecord(texts, System.Text.Encoding.UTF8.GetBytes(json), 0), now);
    }

    /// <summary>
    /// Stores a change (group commit: whoever gets the store first writes every change waiting, in one
    /// transaction for the documents and one for the records) and returns once it is durable. If the
    /// store fails, the registry takes the change back and the caller sees the exception.
    /// </summary>
    private async Task PersistAsync(PendingSave save, TerminalInfo? previous, TerminalInfo info)
    {
        lock (_pending)
        {
            _pending.Add(save);
        }
        await _storeLock.WaitAsync();
        try
        {
            await WritePendingAsync();
        }
        finally
        {
            _storeLock.Release();
        }
        try
        {
            await save.Done.Task;
        }
        catch (Exception)
        {
            await _writeLock.WaitAsync();
            try
            {
                if (ReferenceEquals(Find(info.TerminalId), info))
                {
                    Put(info.TerminalId, previous);
                }
            }
            finally
            {
                _writeLock.Release();
            }
            throw;
        }
    }

    /// <summary>Writes every change waiting; the caller holds <see cref="_storeLock"/>.</summary>
    private async Task WritePendingAsync()
    {
        List<PendingSave> batch;
        lock (_pending)
        {
            if (_pending.Count == 0)
            {
                return;
            }
            batch = [.. _pending];
            _pending.Clear();
        }
        try
        {
            // One document per terminal: the latest change wins.
            var documents = new Dictionary<string, string>(StringComparer.Ordinal);
            var at = batch[0].At;
            List<LiveRecord> records = [];
            foreach (var save in batch)
            {
                documents[save.Key] = save.Json;
                at = save.At > at ? save.At : at;
                if (save.History is { } record)
                {
                    records.Add(record);
                }
            }
            await _store.PutDocumentsAsync(Collection, [.. documents.Select(d => (d.Key, d.Value))], at);
            if (records.Count > 0)
            {
                await _history.WriteAsync(records);
            }
            foreach (var save in batch)
            {
                save.Done.TrySetResult();
            }
        }
        catch (Exception e)
        {
            foreach (var save in batch)
            {
                save.Done.TrySetException(e);
            }
        }
    }

    private sealed record PendingSave(string Key, string Json, LiveRecord? History, DateTimeOffset At)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public static string CategoryName(VehicleCategory c) => c switch
    {
        VehicleCategory.Coach => "coach",
        VehicleCategory.Charter => "charter",
        VehicleCategory.DangerousGoods => "dangerous_goods",
        VehicleCategory.HeavyTruck => "heavy_truck",
        _ => "unknown",
    };

    public static bool TryParseCategory(string? text, out VehicleCategory category)
    {
        category = text?.Trim().ToLowerInvariant() switch
        {
            "coach" or "班线客车" or "客车" => VehicleCategory.Coach,
            "charter" or "包车" or "旅游包车" => VehicleCategory.Charter,
            "dangerous_goods" or "dangerous-goods" or "危险货物运输车" or "危货" => VehicleCategory.DangerousGoods,
            "heavy_truck" or "heavy-truck" or "重型货车" => VehicleCategory.HeavyTruck,
            "unknown" or "" or null => VehicleCategory.Unknown,
            _ => (VehicleCategory)(-1),
        };
        return (int)category >= 0;
    }

    /// <summary>Stores what is waiting and closes the current batch of <c>fleet.terminal</c> records.</summary>
    public async ValueTask FlushAsync()
    {
        await _storeLock.WaitAsync();
        try
        {
            await WritePendingAsync();
            await _history.CompleteBatchAsync();
        }
        finally
        {
            _storeLock.Release();
        }
    }

    private static string NewAuthCode() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
}
