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
            using var response = await SendAsync(request, ct);
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

    /// <summary>Times a request is sent again when the platform answers 503 (its store busy) before giving up.</summary>
    public const int BusyRetries = 3;

    /// <summary>Requests sent again after a 503 so far.</summary>
    public int Retried => _retried;

    private int _retried;

    /// <summary>
    /// Sends the request, and sends it again after the wait the platform asks for (Retry-After, at most 10 s) while
    /// it answers 503 because its store is busy; any other answer is returned as it is.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await http.SendAsync(Copy(request), ct);
            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == BusyRetries)
            {
                return response;
            }
            var wait = response.Headers.RetryAfter is { } after
                ? after.Delta ?? (after.Date is { } date ? date - DateTimeOffset.UtcNow : TimeSpan.FromSeconds(1))
                : TimeSpan.FromSeconds(1);
            wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
            response.Dispose();
            Interlocked.Increment(ref _retried);
            await Task.Delay(wait < TimeSpan.FromSeconds(10) ? wait : TimeSpan.FromSeconds(10), ct);
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content };
        foreach (var h in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(h.Key, h.Value);
        }
        return copy;
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
/// plate, colour, category), connects, registers and authenticates in the background; from then on it reports
/// its position every round. A vehicle leaving reports a last position with the ignition off (parked, so not
/// "offline on duty") and disconnects once that is acknowledged. Positions are pipelined: a round sends every
/// report at once, and the next round first waits for the previous round's acknowledgements, so the twin never
/// runs more than a round ahead of what the platform has stored.
/// </summary>
public sealed class TwinTerminals(HttpClient http, string apiKey, string gatewayHost, int gatewayPort, int connectConcurrency = 32) : IAsyncDisposable
{
    private sealed class Entry(Jt808TerminalClient client)
    {
        public Jt808TerminalClient Client { get; } = client;
        public Task? Connecting { get; set; }
        public EquippedVehicle Last { get; set; }
        public bool Ready => Connecting is { IsCompletedSuccessfully: true } && Client.Authenticated && Client.Error is null;
    }

    private readonly Dictionary<long, Entry> _entries = [];
    private readonly List<(Entry Entry, long Sent)> _closing = [];
    private readonly SemaphoreSlim _connectGate = new(connectConcurrency);
    private readonly List<string> _errors = [];
    private long _reported, _provisioned, _closedAcked, _closedRefused, _closedLost;

    public int Connected => _entries.Values.Count(e => e.Ready);
    public long Provisioned => Interlocked.Read(ref _provisioned);

    /// <summary>Positions sent.</summary>
    public long Reported => Interlocked.Read(ref _reported);

    /// <summary>Positions the platform acknowledged as stored.</summary>
    public long Acknowledged => Interlocked.Read(ref _closedAcked) + _entries.Values.Sum(e => e.Client.Acked - e.Client.AckedNotSuccess)
        + _closing.Sum(c => c.Entry.Client.Acked - c.Entry.Client.AckedNotSuccess);

    /// <summary>Positions refused, or not acknowledged before their terminal disconnected.</summary>
    public long Failed => Interlocked.Read(ref _closedRefused) + Interlocked.Read(ref _closedLost) + _entries.Values.Sum(e => e.Client.AckedNotSuccess)
        + _closing.Sum(c => c.Entry.Client.AckedNotSuccess);

    /// <summary>The first errors met (provisioning refused, connection refused...).</summary>
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

    private long Answered => Acknowledged + Failed;

    /// <summary>One reporting round at simulated instant <paramref name="now"/>.</summary>
    public async Task ReportAsync(IReadOnlyList<EquippedVehicle> vehicles, DateTimeOffset now, CancellationToken ct = default)
    {
        await FlushAsync(TimeSpan.FromSeconds(30), ct);
        CloseAnswered();
        var present = new HashSet<long>();
        var sends = new List<Task<bool>>();
        foreach (var v in vehicles)
        {
            present.Add(v.Key);
            if (!_entries.TryGetValue(v.Key, out var entry))
            {
                var client = new Jt808TerminalClient(new TerminalIdentity(Jt808TerminalPhone.Parse(VehicleIdentity.TerminalPhone(v.Key)), Jt808Edition.V2013,
                    v.Plate, Jt808PlateColor.Yellow, "T" + (v.Key % 1_000_000).ToString("D6", CultureInfo.InvariantCulture)));
                entry = new Entry(client);
                entry.Connecting = StartAsync(client, v, ct);
                _entries[v.Key] = entry;
            }
            else if (entry.Ready)
            {
                sends.Add(entry.Client.SendLocationAsync(Fix(v, now, true)));
            }
            entry.Last = v;
        }
        foreach (var key in _entries.Keys.Where(k => !present.Contains(k)).ToList())
        {
            var entry = _entries[key];
            _entries.Remove(key);
            if (entry.Ready)
            {
                sends.Add(entry.Client.SendLocationAsync(Fix(entry.Last with { SpeedKmh = 0 }, now, false)));
                _closing.Add((entry, entry.Client.Acked + 1));
            }
            else
            {
                _closing.Add((entry, 0));
            }
        }
        foreach (var sent in await Task.WhenAll(sends))
        {
            if (sent)
            {
                Interlocked.Increment(ref _reported);
            }
        }
    }

    /// <summary>Waits until every position sent has been answered, or the timeout passes.</summary>
    public async Task FlushAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Answered < Reported && DateTime.UtcNow < deadline)
        {
            await Task.Delay(2, ct);
        }
    }

    /// <summary>Disconnects the terminals of vehicles that left once their last position is answered.</summary>
    private void CloseAnswered()
    {
        for (var i = _closing.Count - 1; i >= 0; i--)
        {
            var (entry, waitFor) = _closing[i];
            var c = entry.Client;
            if (entry.Connecting is { IsCompleted: false })
            {
                continue;
            }
            if (c.Acked < waitFor && c.Error is null)
            {
                continue;
            }
            Interlocked.Add(ref _closedAcked, c.Acked - c.AckedNotSuccess);
            Interlocked.Add(ref _closedRefused, c.AckedNotSuccess);
            Interlocked.Add(ref _closedLost, Math.Max(0, waitFor - c.Acked));
            c.Dispose();
            _closing.RemoveAt(i);
        }
    }

    private static TerminalFix Fix(EquippedVehicle v, DateTimeOffset now, bool acc) =>
        new(now, v.Latitude, v.Longitude, v.SpeedKmh, v.Heading, acc, (uint)(v.OdometerM / 100));

    private async Task StartAsync(Jt808TerminalClient client, EquippedVehicle v, CancellationToken ct)
    {
        await _connectGate.WaitAsync(ct);
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
        }
        finally
        {
            _connectGate.Release();
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

    public async ValueTask DisposeAsync()
    {
        var pending = _entries.Values.Select(e => e.Connecting).Concat(_closing.Select(c => c.Entry.Connecting)).OfType<Task>().ToArray();
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var e in _entries.Values.Concat(_closing.Select(c => c.Entry)))
        {
            e.Client.Dispose();
        }
        _entries.Clear();
        _closing.Clear();
        _connectGate.Dispose();
    }
}
