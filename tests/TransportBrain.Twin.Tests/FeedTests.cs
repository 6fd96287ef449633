using System.Net;
using System.Text;
using TransportBrain.Highway;
using TransportBrain.Twin.Province;

namespace TransportBrain.Twin.Tests;

/// <summary>The twin's HTTP push client behaves as a provincial feed should when the platform is busy.</summary>
public class FeedTests
{
    /// <summary>Answers from a script: 503 (with Retry-After: 0) a number of times, then the platform's report.</summary>
    private sealed class BusyPlatform(int busyAnswers) : HttpMessageHandler
    {
        public int Requests { get; private set; }
        public List<string> Bodies { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Requests++;
            Bodies.Add(await request.Content!.ReadAsStringAsync(ct));
            Assert.Equal("Bearer", request.Headers.Authorization?.Scheme);
            if (Requests <= busyAnswers)
            {
                var busy = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("""{"title":"Store busy"}""") };
                busy.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
                return busy;
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"read":2,"stored":2,"quarantined":0}""", Encoding.UTF8, "application/json") };
        }
    }

    private static List<object?[]> TwoRows()
    {
        var d = HighwayDatasets.GantryTransaction;
        object?[] Row(string id)
        {
            var r = new object?[d.Fields.Count];
            r[d.FieldIndex("transaction_id")] = id;
            return r;
        }
        return [Row("T1"), Row("T2")];
    }

    [Fact]
    public async Task A_push_the_platform_answers_busy_is_sent_again_the_same_and_counted_once()
    {
        var platform = new BusyPlatform(busyAnswers: 2);
        var feed = new HttpRecordFeed(new HttpClient(platform) { BaseAddress = new Uri("http://platform.test/") }, "secret");

        await feed.PostAsync(HighwayDatasets.GantryTransaction, TwoRows());

        Assert.Equal(3, platform.Requests);
        Assert.Equal(2, feed.Retried);
        Assert.Single(platform.Bodies.Distinct()); // the same rows each time
        var c = feed.Counters[HighwayDatasets.GantryTransaction.Id];
        Assert.Equal((2L, 2L, 2L, 0L), (c.Sent, c.Read, c.Stored, c.Quarantined));
    }

    [Fact]
    public async Task A_platform_that_stays_busy_refuses_the_push_after_the_retries()
    {
        var platform = new BusyPlatform(busyAnswers: int.MaxValue);
        var feed = new HttpRecordFeed(new HttpClient(platform) { BaseAddress = new Uri("http://platform.test/") }, "secret");

        var refused = await Assert.ThrowsAsync<TwinFeedException>(() => feed.PostAsync(HighwayDatasets.GantryTransaction, TwoRows()));

        Assert.Contains("HTTP 503", refused.Message);
        Assert.Equal(1 + HttpRecordFeed.BusyRetries, platform.Requests);
        Assert.False(feed.Counters.ContainsKey(HighwayDatasets.GantryTransaction.Id));
    }
}
