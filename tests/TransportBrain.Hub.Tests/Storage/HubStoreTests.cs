using System.Text;
using TransportBrain.Hub.Catalog;
using TransportBrain.Hub.Ingest;
using TransportBrain.Hub.Quality;
using TransportBrain.Hub.Sharing;
using TransportBrain.Hub.Storage;

namespace TransportBrain.Hub.Tests.Storage;

/// <summary>The one store suite, run against SQLite and PostgreSQL alike.</summary>
public class HubStoreTests
{
    public static TheoryData<string> Kinds => TestStores.Kinds();

    private static async Task<(TestStore Store, IngestService Ingest)> OpenAsync(string kind)
    {
        var t = await TestStores.CreateAsync(kind);
        await t.Store.InitializeAsync(TestData.Registry());
        var ingest = new IngestService(t.Store, TestData.Registry(), new FixedClock(TestData.Now));
        await ingest.IngestAsync(TestData.Station, new CsvRecordSource(TestData.Utf8("station_id,name\nS1,一号站\nS2,二号站\n"), TestData.Station, SourceEncodings.Parse("utf-8")), "stations");
        return (t, ingest);
    }

    private static CsvRecordSource Csv(string rows, string encoding = "utf-8") =>
        new(encoding == "gbk" ? TestData.Gbk(TestData.PassingHeader + "\n" + rows) : TestData.Utf8(TestData.PassingHeader + "\n" + rows), TestData.Passing, SourceEncodings.Parse(encoding));

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Starting_again_applies_only_the_missing_migrations_keeps_the_data_and_adds_a_new_field_as_a_column(string kind)
    {
        var (t, ingest) = await OpenAsync(kind);
        await using var _ = t;
        var first = await ingest.IngestAsync(TestData.Passing, Csv("p1,S1,2025-05-31 12:00:00,贵A12345,,80,1,false\n"), "before.csv");
        Assert.Equal(1, first.Stored);
        Assert.Equal(2L, Convert.ToInt64(await TestStores.SqlAsync(t, "SELECT COUNT(*) FROM hub_migration")));

        // A database from before migration 2: its table and its row are gone.
        await TestStores.SqlAsync(t, "DROP TABLE hub_document");
        await TestStores.SqlAsync(t, "DELETE FROM hub_migration WHERE version = 2");
        // The next version of the passing dataset declares one more field.
        var evolved = TestData.Passing with { Fields = [.. TestData.Passing.Fields, Field.Integer("lane_no", "车道号", "Lane number") with { Min = 1, Max = 8 }] };
        var registry = new DatasetRegistry([TestData.Station, evolved]);
        await t.Store.InitializeAsync(registry);
        await t.Store.InitializeAsync(registry); // and again: nothing left to do

        Assert.Equal(2L, Convert.ToInt64(await TestStores.SqlAsync(t, "SELECT COUNT(*) FROM hub_migration")));
        Assert.Equal(1L, Convert.ToInt64(await TestStores.SqlAsync(t, "SELECT COUNT(*) FROM hub_migration WHERE version = 2")));
        await t.Store.PutDocumentsAsync("test", [("k", "{\"v\":1}")], TestData.Now); // migration 2's table is back
        Assert.Equal(1L, Convert.ToInt64(await TestStores.SqlAsync(t, "SELECT COUNT(*) FROM hub_document")));

        var evolvedIngest = new IngestService(t.Store, registry, new FixedClock(TestData.Now));
        var second = await evolvedIngest.IngestAsync(evolved, new CsvRecordSource(TestData.Utf8(TestData.PassingHeader + ",lane_no\np2,S1,2025-05-31 12:00:01,,,90,1,false,3\n"), evolved, SourceEncodings.Parse("utf-8")), "after.csv");
        Assert.Equal(1, second.Stored);
        var page = await t.Store.ReadRecordsAsync(evolved, new RecordQuery(null, null, 10, null));
        Assert.Equal(["p1", "p2"], page.Records.Select(r => (string?)r.Values[0]));
        var lane = evolved.FieldIndex("lane_no");
        Assert.Null(page.Records[0].Values[lane]);       // stored before the field existed
        Assert.Equal(3L, page.Records[1].Values[lane]);
        Assert.Equal("贵A12345", page.Records[0].Values[evolved.FieldIndex("plate")]);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Every_record_read_is_either_stored_or_quarantined_with_its_reason(string kind)
    {
        var (t, ingest) = await OpenAsync(kind);
        await using var _ = t;
        var report = await ingest.IngestAsync(TestData.Passing, Csv(
            "p1,S1,2025-05-31 12:00:00,贵A12345,13800001111,80,1,false\n" +
            "p2,S2,2025-05-31 12:00:05,贵B54321,,95.5,11,true\n" +
            "p3,S9,2025-05-31 12:00:06,,,,,\n" +               // unknown station
            "p4,S1,2025-05-31 12:00:07,,,fast,,\n" +           // not a number
            "p1,S1,2025-05-31 12:00:08,,,,,\n" +               // duplicate id
            "p5,S1\n" +                                        // wrong column count
            "p6,S1,2025-05-31 12:00:09,,,,,\n"), "test.csv");

        Assert.Equal(7, report.Read);
        Assert.Equal(3, report.Stored);
        Assert.Equal(4, report.Quarantined);
        Assert.True(report.IsConsistent);
        Assert.Equal(["format", "reference:station_id", "type:speed_kmh", "unique:passing_id"], report.RuleCounts.Select(r => r.RuleKey).Order().ToArray());
        Assert.Equal(3, await t.Store.CountRecordsAsync(TestData.Passing));

        var quarantined = await t.Store.ListQuarantineAsync(TestData.Passing.Id, QuarantineStatus.Open, 0, 100);
        Assert.Equal(4, quarantined.Count);
        var dup = quarantined.Single(q => q.Rule == "unique");
        Assert.Equal("p1,S1,2025-05-31 12:00:08,,,,,", Encoding.UTF8.GetString(dup.Raw));
        Assert.Equal(6, dup.Position);
        Assert.Contains("passing_id=p1 is already stored", dup.Reason);
        var wrongColumns = quarantined.Single(q => q.Rule == "format");
        Assert.Equal("p5,S1", Encoding.UTF8.GetString(wrongColumns.Raw));

        var stored = await t.Store.GetBatchAsync(report.BatchId);
        Assert.Equal(report.Read, stored!.Read);
        Assert.Equal(report.Quarantined, stored.Quarantined);
        Assert.Equal(report.RuleCounts.Count, stored.RuleCounts.Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Records_come_back_typed_in_time_order_a_page_at_a_time(string kind)
    {
        var (t, ingest) = await OpenAsync(kind);
        await using var _ = t;
        var sb = new StringBuilder();
        for (var i = 0; i < 250; i++)
        {
            // written out of time order on purpose
            var second = (i * 37) % 250;
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"p{i},S1,2025-05-31 12:{second / 60:D2}:{second % 60:D2},贵A12345,,{i % 200}.5,1,{(i % 2 == 0 ? "true" : "false")}\n");
        }
        var report = await ingest.IngestAsync(TestData.Passing, Csv(sb.ToString()), "many.csv");
        Assert.Equal(250, report.Stored);

        var all = new List<StoredRecord>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await t.Store.ReadRecordsAsync(TestData.Passing, new RecordQuery(null, null, 100, cursor));
            all.AddRange(page.Records);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(250, all.Count);
        var times = all.Select(r => (DateTimeOffset)r.Values[2]!).ToList();
        Assert.Equal(times.Order().ToList(), times);
        Assert.Equal(new DateTimeOffset(2025, 5, 31, 4, 0, 0, TimeSpan.Zero), times[0]);
        var first = all[0].Values;
        Assert.Equal("p0", first[0]);
        Assert.Equal(0.5, first[5]);
        Assert.Equal(1L, first[6]);
        Assert.Equal(true, first[7]);

        var range = await t.Store.ReadRecordsAsync(TestData.Passing,
            new RecordQuery(new DateTimeOffset(2025, 5, 31, 4, 1, 0, TimeSpan.Zero), new DateTimeOffset(2025, 5, 31, 4, 2, 0, TimeSpan.Zero), 1000, null));
        Assert.Equal(60, range.Records.Count);
        Assert.Null(range.NextCursor);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_quarantined_record_can_be_corrected_and_resubmitted(string kind)
    {
        var (t, ingest) = await OpenAsync(kind);
        await using var _ = t;
        await ingest.IngestAsync(TestData.Passing, Csv("p1,S1,2025-05-31 12:00:00,贵A12345,,fast,1,false\n"), "bad.csv");
        var q = Assert.Single(await t.Store.ListQuarantineAsync(TestData.Passing.Id, QuarantineStatus.Open, 0, 10));

        var again = await ingest.ResubmitAsync(q.Id, null);
        Assert.Equal(0, again.Stored);
        Assert.Equal(1, again.Quarantined);

        var open = Assert.Single(await t.Store.ListQuarantineAsync(TestData.Passing.Id, QuarantineStatus.Open, 0, 10));
        var fixedReport = await ingest.ResubmitAsync(open.Id, Encoding.UTF8.GetBytes("p1,S1,2025-05-31 12:00:00,贵A12345,,88,1,false"));
        Assert.Equal(1, fixedReport.Stored);
        Assert.Empty(await t.Store.ListQuarantineAsync(TestData.Passing.Id, QuarantineStatus.Open, 0, 10));
        var resolved = await t.Store.GetQuarantinedAsync(open.Id);
        Assert.Equal(QuarantineStatus.Resubmitted, resolved!.Status);
        Assert.Equal(fixedReport.BatchId, resolved.ResolvedBatchId);
        var record = Assert.Single((await t.Store.ReadRecordsAsync(TestData.Passing, new RecordQuery(null, null, 10, null))).Records);
        Assert.Equal(88.0, record.Values[5]);
        await Assert.ThrowsAsync<IngestException>(() => ingest.ResubmitAsync(open.Id, null));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Gbk_rows_are_stored_as_text_and_quarantined_with_their_original_bytes(string kind)
    {
        var (t, ingest) = await OpenAsync(kind);
        await using var _ = t;
        var report = await ingest.IngestAsync(TestData.Passing, Csv("p1,S1,2025-05-31 12:00:00,贵A12345,,,,\np2,S1,2025-05-31 12:00:00,贵I0O000,,,,\n", "gbk"), "gbk.csv");
        Assert.Equal(1, report.Stored);
        var stored = Assert.Single((await t.Store.ReadRecordsAsync(TestData.Passing, new RecordQuery(null, null, 10, null))).Records);
        Assert.Equal("贵A12345", stored.Values[3]);
        var q = Assert.Single(await t.Store.ListQuarantineAsync(TestData.Passing.Id, null, 0, 10));
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Assert.Equal(Encoding.GetEncoding(936).GetBytes("p2,S1,2025-05-31 12:00:00,贵I0O000,,,,"), q.Raw);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Keys_grants_and_revocation_decide_who_reads_what(string kind)
    {
        var (t, _) = await OpenAsync(kind);
        await using var __ = t;
        var keys = new ApiKeys(t.Store, new FixedClock(TestData.Now));
        var (key, secret) = await keys.CreateAsync("贵州省公安厅", "test", false);
        await t.Store.SetGrantAsync(new DatasetGrant(key.Id, TestData.Passing.Id, true, false, false));

        var caller = await keys.AuthenticateAsync(secret);
        Assert.NotNull(caller);
        Assert.Equal("贵州省公安厅", caller!.Organisation);
        Assert.Equal(AccessDecision.Allowed, SharingPolicy.CanRead(caller, TestData.Passing));
        Assert.Equal(AccessDecision.Forbidden, SharingPolicy.CanWrite(caller, TestData.Passing));
        Assert.True(SharingPolicy.MustMask(caller, TestData.Passing));
        Assert.Null(await keys.AuthenticateAsync(secret[..^1] + (secret[^1] == 'a' ? 'b' : 'a')));
        Assert.Equal(AccessDecision.NeedsKey, SharingPolicy.CanRead(Caller.Public, TestData.Passing));
        Assert.Equal(AccessDecision.Allowed, SharingPolicy.CanRead(Caller.Public, TestData.Station));

        Assert.True(await t.Store.RevokeKeyAsync(key.Id, TestData.Now));
        Assert.Null(await keys.AuthenticateAsync(secret));
        Assert.Equal(key.SecretHash, (await t.Store.FindKeyAsync(key.Id))!.SecretHash);
        Assert.DoesNotContain(secret, (await t.Store.FindKeyAsync(key.Id))!.SecretHash);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Reads_are_masked_unless_granted_and_audited_in_an_intact_hash_chain(string kind)
    {
        var (t, ingest) = await OpenAsync(kind);
        await using var _ = t;
        await ingest.IngestAsync(TestData.Passing, Csv("p1,S1,2025-05-31 12:00:00,贵A12345,13800001111,,,\n"), "one.csv");
        var sharing = new DataSharing(t.Store, new FixedClock(TestData.Now));
        var keys = new ApiKeys(t.Store, new FixedClock(TestData.Now));
        var (key, secret) = await keys.CreateAsync("省交通运输厅", "analyst", false);
        await t.Store.SetGrantAsync(new DatasetGrant(key.Id, TestData.Passing.Id, true, false, false));
        var caller = (await keys.AuthenticateAsync(secret))!;

        var page = await sharing.ReadAsync(caller, TestData.Passing, new RecordQuery(null, null, 10, null), "read", "127.0.0.1");
        Assert.Equal("贵A·***45", page.Records[0].Values[3]);
        Assert.Equal("138****1111", page.Records[0].Values[4]);

        await t.Store.SetGrantAsync(new DatasetGrant(key.Id, TestData.Passing.Id, true, false, true));
        caller = (await keys.AuthenticateAsync(secret))!;
        page = await sharing.ReadAsync(caller, TestData.Passing, new RecordQuery(null, null, 10, null), "read", "127.0.0.1");
        Assert.Equal("贵A12345", page.Records[0].Values[3]);

        var audit = await t.Store.QueryAuditAsync(new AuditQuery(TestData.Passing.Id, "省交通运输厅", null, null, null, 10));
        Assert.Equal(2, audit.Count);
        Assert.All(audit, a => Assert.Equal(1, a.RowCount));
        Assert.Equal(key.Id, audit[0].KeyId);
        Assert.Contains("limit=10", audit[0].Query);
        Assert.Null(await t.Store.VerifyAuditChainAsync());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Documents_are_replaced_with_a_rising_version_and_listed_in_key_order(string kind)
    {
        await using var t = await TestStores.CreateAsync(kind);
        await t.Store.InitializeAsync(TestData.Registry());
        await t.Store.PutDocumentsAsync("fleet.terminal", [("013800000002", "{\"plate\":\"贵A00002\"}"), ("013800000001", "{\"plate\":\"贵A00001\"}")], TestData.Now);
        await t.Store.PutDocumentsAsync("fleet.terminal", [("013800000001", "{\"plate\":\"贵A99999\"}")], TestData.Now.AddMinutes(1));
        await t.Store.PutDocumentsAsync("other", [("013800000001", "{}")], TestData.Now);

        var one = await t.Store.GetDocumentAsync("fleet.terminal", "013800000001");
        Assert.NotNull(one);
        Assert.Equal("{\"plate\":\"贵A99999\"}", one.Json);
        Assert.Equal(2, one.Version);
        Assert.Equal(TestData.Now.AddMinutes(1), one.UpdatedAt);

        var all = await t.Store.ListDocumentsAsync("fleet.terminal", null, 10);
        Assert.Equal(["013800000001", "013800000002"], all.Select(d => d.Key).ToArray());
        var after = await t.Store.ListDocumentsAsync("fleet.terminal", "013800000001", 10);
        Assert.Equal("013800000002", Assert.Single(after).Key);

        Assert.True(await t.Store.DeleteDocumentAsync("fleet.terminal", "013800000002"));
        Assert.False(await t.Store.DeleteDocumentAsync("fleet.terminal", "013800000002"));
        Assert.Null(await t.Store.GetDocumentAsync("fleet.terminal", "013800000002"));
        Assert.NotNull(await t.Store.GetDocumentAsync("other", "013800000001"));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_time_range_read_can_be_narrowed_to_records_with_given_field_values(string kind)
    {
        var (t, ingest) = await OpenAsync(kind);
        await using var _ = t;
        await ingest.IngestAsync(TestData.Passing, Csv(
            "p1,S1,2025-05-31 12:00:00,,,80,,\n" +
            "p2,S2,2025-05-31 12:00:05,,,81,,\n" +
            "p3,S1,2025-05-31 12:00:06,,,82,,\n" +
            "p4,S1,2025-05-31 13:00:00,,,83,,\n"), "test.csv");

        var page = await t.Store.ReadRecordsAsync(TestData.Passing, new RecordQuery(
            DateTimeOffset.Parse("2025-05-31T03:59:00Z"), DateTimeOffset.Parse("2025-05-31T04:30:00Z"), 10, null)
        { Equal = new Dictionary<string, object> { ["station_id"] = "S1" } });
        Assert.Equal(["p1", "p3"], page.Records.Select(r => (string)r.Values[0]!).ToArray());

        var byNumber = await t.Store.ReadRecordsAsync(TestData.Passing, new RecordQuery(null, null, 10, null)
        { Equal = new Dictionary<string, object> { ["station_id"] = "S1", ["speed_kmh"] = 83.0 } });
        Assert.Equal("p4", Assert.Single(byNumber.Records).Values[0]);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Editing_an_audit_entry_breaks_the_chain_at_that_entry(string kind)
    {
        await using var t = await TestStores.CreateAsync(kind);
        await t.Store.InitializeAsync(TestData.Registry());
        for (var i = 0; i < 3; i++)
        {
            await t.Store.AppendAuditAsync(new AuditEntry { At = TestData.Now, Organisation = "org", DatasetId = "test.passing", Action = "read", Query = "limit=" + i, RowCount = i });
        }
        Assert.Null(await t.Store.VerifyAuditChainAsync());
        await TestStores.SqlAsync(t, "UPDATE hub_audit SET row_count = 0 WHERE id = 2");
        Assert.Equal(2, await t.Store.VerifyAuditChainAsync());
    }
}
