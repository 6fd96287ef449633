using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TransportBrain.Fleet.Jt808;
using TransportBrain.Fleet.Simulation;
using TransportBrain.Hub.Catalog;

namespace TransportBrain.Twin.Province;

/// <summary>What one dataset's feed has sent and what the platform answered.</summary>
public sealed record FeedCounters(long Sent, long Read, long Stored, long Quarantined);

/// <summary>A feed the platform refused (HTTP error): the twin stops rather than lose records silently.</summary>
public sealed class TwinFeedException(string message) : Exception(message);

/// <summary>
/// Pushes the twin's sensor rows to the platform the way a provincial system would: HTTP push ingest
/// (<c>POST /api/v1/datasets/{id}/records</c>, JSON, with an API key granted write access), through the
/// same quality gates as any feed. Keeps, per dataset, rows sent and the platform's read / stored /
/// quarantined answer, so sent = read = stored + quarantined can be checked.
/// </summary>
public sealed class HttpRecordFeed(HttpClient http, string apiKey, int maxRowsPerRequest = 5_000)
{
    private readonly ConcurrentDictionary<string, FeedCounters> _counters = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, FeedCounters> Counters => _counters;

    public async Task PostAsync(DatasetDefinition dataset, IReadOnlyList<object?[]> rows, CancellationToken ct = default)
    {
        for (var offset = 0; offset < rows.Count; offset += maxRowsPerRequest)
        {
            var count = Math.Min(maxRowsPerRequest, rows.Count - offset);
            var body = Serialize(dataset, rows, offset, count);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/datasets/{Uri.EscapeDataString(dataset.Id)}/records")
            {
                Content = new ByteArrayContent(body.WrittenMemory.ToArray()),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new TwinFeedException($"the platform refused {count} {dataset.Id} rows: HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
            }
            var report = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var read = report.GetProperty("read").GetInt64();
            var stored = report.GetProperty("stored").GetInt64();
            var quarantined = report.GetProperty("quarantined").GetInt64();
            _counters.AddOrUpdate(dataset.Id, _ => new FeedCounters(count, read, stored, quarantined),
                (_, c) => new FeedCounters(c.Sent + count, c.Read + read, c.Stored + stored, c.Quarantined + quarantined));
        }
    }

    /// <summary>Rows (in the dataset's field order) as a JSON array of objects; times in China Standard Time with their offset.</summary>
    public static ArrayBufferWriter<byte> Serialize(DatasetDefinition dataset, IReadOnlyList<object?[]> rows, int offset, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 256);
        using var w = new Utf8JsonWriter(buffer);
        w.WriteStartArray();
        for (var r = offset; r < offset + count; r++)
        {
            var row = rows[r];
            w.WriteStartObject();
            for (var i = 0; i < dataset.Fields.Count; i++)
            {
                var name = dataset.Fields[i].Name;
                switch (row[i])
                {
                    case null:
                        break;
                    case string s:
                        w.WriteString(name, s);
                        break;
                    case long l:
                        w.WriteNumber(name, l);
                        break;
                    case int n:
                        w.WriteNumber(name, n);
                        break;
                    case double d:
                        w.WriteNumber(name, d);
                        break;
                    case bool b:
                        w.WriteBoolean(name, b);
                        break;
                    case DateTimeOffset t:
                        w.WriteString(name, t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
                        break;
                    case var other:
                        w.WriteString(name, Convert.ToString(other, CultureInfo.InvariantCulture));
                        break;
                }
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.Flush();
        return buffer;
    }
}

/// <summary>
/// The JT/T 808 terminals of the twin's coaches and dangerous-goods trucks, over real TCP to the platform's
/// gateway. A vehicle entering the simulated network is provisioned (<c>PUT /api/v1/fleet/vehicles/{terminal}</c>:
/// plate, colour, category), connects, registers and authenticates, then reports its position every round;
/// a vehicle leaving reports a last position with the ignition off (parked, so not "offline on duty") and
/// disconnects.
/// </summary>
public sealed class TwinTerminals(HttpClient http, string apiKey, string gatewayHost, int gatewayPort, int connectConcurrency = 32) : IAsyncDisposable
{
    private readonly Dictionary<long, Jt808TerminalClient> _clients = [];
    private readonly Dictionary<long, EquippedVehicle> _last = [];
    private readonly List<string> _errors = [];
    private long _reported, _acknowledged, _failed, _provisioned;

    public int Connected => _clients.Count;
    public long Provisioned => Interlocked.Read(ref _provisioned);
    public long Reported => Interlocked.Read(ref _reported);
    public long Acknowledged => Interlocked.Read(ref _acknowledged);
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The first errors met (connection refused, a position not acknowledged...).</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>One reporting round at simulated instant <paramref name="now"/>: every equipped vehicle reports and is acknowledged.</summary>
    public async Task ReportAsync(IReadOnlyList<EquippedVehicle> vehicles, DateTimeOffset now, CancellationToken ct = default)
    {
        // New terminals connect a few at a time; positions of connected ones all go out at once and are
        // acknowledged by the same group commits, so a round costs about one commit, not one per vehicle.
        using var gate = new SemaphoreSlim(connectConcurrency);
        var present = new HashSet<long>();
        var work = new List<Task>();
        foreach (var v in vehicles)
        {
            present.Add(v.Key);
            _clients.TryGetValue(v.Key, out var client);
            if (client is null)
            {
                client = new Jt808TerminalClient(new TerminalIdentity(Jt808TerminalPhone.Parse(VehicleIdentity.TerminalPhone(v.Key)), Jt808Edition.V2013,
                    v.Plate, Jt808PlateColor.Yellow, "T" + (v.Key % 1_000_000).ToString("D6", CultureInfo.InvariantCulture)));
                _clients[v.Key] = client;
                work.Add(Run(gate, () => StartAsync(client, v, now, ct)));
            }
            else
            {
                work.Add(ReportOneAsync(client, Fix(v, now, true), ct));
            }
            _last[v.Key] = v;
        }
        foreach (var key in _clients.Keys.Where(k => !present.Contains(k)).ToList())
        {
            var client = _clients[key];
            _clients.Remove(key);
            var last = _last[key];
            _last.Remove(key);
            work.Add(ParkAsync(client, last, now, ct));
        }
        await Task.WhenAll(work);
    }

    private async Task ParkAsync(Jt808TerminalClient client, EquippedVehicle last, DateTimeOffset now, CancellationToken ct)
    {
        using (client)
        {
            await ReportOneAsync(client, Fix(last with { SpeedKmh = 0 }, now, false), ct);
        }
    }

    private static TerminalFix Fix(EquippedVehicle v, DateTimeOffset now, bool acc) =>
        new(now, v.Latitude, v.Longitude, v.SpeedKmh, v.Heading, acc, (uint)(v.OdometerM / 100));

    private async Task StartAsync(Jt808TerminalClient client, EquippedVehicle v, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/fleet/vehicles/{client.Phone}")
            {
                Content = JsonContent.Create(new { plate = v.Plate, plateColor = (int)Jt808PlateColor.Yellow, category = v.Category }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                Error($"provisioning {client.Phone} ({v.Plate}): HTTP {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
                return;
            }
            Interlocked.Increment(ref _provisioned);
            await client.ConnectAsync(gatewayHost, gatewayPort, ct);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or TimeoutException or InvalidOperationException or HttpRequestException)
        {
            Error($"terminal {client.Phone}: {e.Message}");
            return;
        }
        await ReportOneAsync(client, Fix(v, now, true), ct);
    }

    private async Task ReportOneAsync(Jt808TerminalClient client, TerminalFix fix, CancellationToken ct)
    {
        if (!client.Authenticated)
        {
            return;
        }
        Interlocked.Increment(ref _reported);
        if (await client.ReportAsync(fix, TimeSpan.FromSeconds(30), ct))
        {
            Interlocked.Increment(ref _acknowledged);
        }
        else
        {
            Interlocked.Increment(ref _failed);
            Error($"terminal {client.Phone}: position at {fix.Time:HH:mm:ss} not acknowledged ({client.Error ?? "refused"})");
        }
    }

    private static async Task Run(SemaphoreSlim gate, Func<Task> action)
    {
        await gate.WaitAsync();
        try
        {
            await action();
        }
        finally
        {
            gate.Release();
        }
    }

    private void Error(string message)
    {
        lock (_errors)
        {
            if (_errors.Count < 50)
            {
                _errors.Add(message);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var c in _clients.Values)
        {
            c.Dispose();
        }
        _clients.Clear();
        return ValueTask.CompletedTask;
    }
}
