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
                r._terminals[d.Key] = info;
            }
        }
        return r;
    }

    public int Count => _terminals.Count;

    public TerminalInfo? Find(string terminalId) => _terminals.GetValueOrDefault(terminalId);

    public IEnumerable<TerminalInfo> All => _terminals.Values;

    /// <summary>An operator declares a vehicle and its terminal before (or after) the terminal registers.</summary>
    public async Task<TerminalInfo> ProvisionAsync(string terminalId, string? plate, int plateColor, VehicleCategory category, CancellationToken ct = default)
    {
        if (!Jt808TerminalPhone.TryParse(terminalId, out _))
        {
            throw new ArgumentException($"terminal id '{terminalId}' is not a terminal phone number (1-20 digits)", nameof(terminalId));
        }
        await _writeLock.WaitAsync(ct);
        try
        {
            var now = _clock.GetUtcNow();
            var existing = Find(terminalId);
            var info = (existing ?? new TerminalInfo { TerminalId = terminalId }) with
            {
                Plate = plate,
                PlateColor = plateColor,
                Category = category,
                Provisioned = true,
            };
            await SaveAsync(info, now, "provisioning", ct);
            return info;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Handles a 0x0100: decides the result and, on success, the auth code.</summary>
    public async Task<(Jt808RegistrationResult Result, string? AuthCode)> RegisterAsync(string terminalId, Jt808TerminalRegistration reg, CancellationToken ct = default)
    {
        await _writeLock.WaitAsync(ct);
        try
        {
            var now = _clock.GetUtcNow();
            var existing = Find(terminalId);
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
                _terminals.Values.Any(t => t.TerminalId != terminalId && t.Plate == plate && t.PlateColor == (int)reg.PlateColor && t.AuthCode is not null))
            {
                return (Jt808RegistrationResult.VehicleAlreadyRegistered, null);
            }
            var code = NewAuthCode();
            var info = (existing ?? new TerminalInfo { TerminalId = terminalId, Category = VehicleCategory.Unknown }) with
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
            await SaveAsync(info, now, "registration", ct);
            return (Jt808RegistrationResult.Success, code);
        }
        finally
        {
            _writeLock.Release();
        }
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
        await _writeLock.WaitAsync(ct);
        try
        {
            if (Find(terminalId) is { } info)
            {
                var updated = info with { AuthCode = null };
                _terminals[terminalId] = updated;
                await _store.PutDocumentsAsync(Collection, [(terminalId, JsonSerializer.Serialize(updated, Json))], _clock.GetUtcNow(), ct);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task SaveAsync(TerminalInfo info, DateTimeOffset now, string source, CancellationToken ct)
    {
        var json = JsonSerializer.Serialize(info, Json);
        await _store.PutDocumentsAsync(Collection, [(info.TerminalId, json)], now, ct);
        _terminals[info.TerminalId] = info;
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
        await _history.WriteAsync([new LiveRecord(texts, System.Text.Encoding.UTF8.GetBytes(json), 0)], null, ct);
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

    public ValueTask FlushAsync() => new(_history.CompleteBatchAsync());

    private static string NewAuthCode() => Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
}
