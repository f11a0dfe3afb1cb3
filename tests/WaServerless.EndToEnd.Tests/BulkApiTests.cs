using WaServerless.Core.Bulk;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WaServerless.Api.Bulk;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Engines.Sandbox;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Infrastructure;
using WaServerless.TestKit;

namespace WaServerless.EndToEnd.Tests;

public sealed class BulkFixture : IAsyncLifetime
{
    public DevHostInstance Host { get; private set; } = null!;

    /// <summary>A growth-plan key for the tests that only need to be refused (the test methods of a class run one at a time).</summary>
    public string? GrowthKey { get; set; }

    public async Task InitializeAsync() => Host = await DevHostInstance.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// The devhost for the pacing tests: a plan with the bulk API whose per-minute budget does not
/// pace a 1,000-recipient campaign, and no delivered/read receipts or frequent outbox sweeps, which
/// would only compete with the sends for Azurite.
/// </summary>
public sealed class BulkPacingFixture : IAsyncLifetime
{
    private Azurite _azurite = null!;

    public DevHostInstance Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // A thousand-recipient campaign goes through the queue: an Azurite of its own, on disk, whose
        // queue GC does not stop other tests (StartOwnAsync).
        _azurite = await Azurite.StartOwnAsync();
        Host = await DevHostInstance.StartAsync(settings: new()
        {
            ["Storage:ConnectionString"] = _azurite.ConnectionString,
            ["Plans:bulkfast:SubmissionsPerMinute"] = "1000000",
            ["Plans:bulkfast:MonthlyQuota"] = "10000000",
            ["Plans:bulkfast:MaxMediaBytes"] = "1000000",
            ["Plans:bulkfast:BulkApi"] = "true",
            ["Plans:bulkfast:RecipientDailyCap"] = "50",
            ["Sandbox:DeliveredAfter"] = "01:00:00",
            ["Sandbox:ReadAfter"] = "01:00:00",
            ["Messages:OutboxSweepSchedule"] = "00:00:05",
        });
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await _azurite.DisposeAsync();
    }
}

/// <summary>Both bulk devhosts in one collection: one at a time, so that the pacing test has the machine to itself.</summary>
[CollectionDefinition(Name)]
public sealed class BulkCollection
{
    public const string Name = "bulk campaigns";
}

/// <summary>POST /api/bulk and the campaign API over HTTP against the devhost, through the in-process workflow runner to the Sandbox engine.</summary>
[Collection(BulkCollection.Name)]
public sealed class BulkApiTests(BulkFixture fixture) : IClassFixture<BulkFixture>
{
    private DevHostInstance Host => fixture.Host;

    private BulkApi Api => new(fixture.Host);

    [Fact]
    public async Task A_json_campaign_reports_bad_rows_skips_them_and_sends_the_rest_with_their_variables()
    {
        var (_, key) = await NewAccountAsync("growth");
        var (status, body, location) = await CreateAsync(key, new
        {
            name = "Spring promo",
            text = "Hi {{name}}!",
            interval_seconds = 0,
            recipients = new object[]
            {
                "+14155550301",
                new { recipient = "+1 415 555 0302", variables = new { name = "Ada" } },
                "not a number",
                "",
                "14155550301",
                42,
                new { recipient = "+14155550303", name = "Bob" },
            },
        });

        Assert.Equal(202, status);
        var data = body.GetProperty("data");
        var campaign = data.GetProperty("campaign");
        var id = campaign.GetProperty("id").GetString()!;
        Assert.Equal("/api/bulk/" + id, location);
        Assert.Equal("Spring promo", campaign.GetProperty("name").GetString());
        Assert.Equal("bulk", campaign.GetProperty("priority_label").GetString());
        Assert.Equal(7, campaign.GetProperty("priority").GetInt32());
        Assert.Equal("text", campaign.GetProperty("message_type").GetString());
        Assert.Equal("default", campaign.GetProperty("session").GetString());
        Assert.Equal(3, campaign.GetProperty("progress").GetProperty("total").GetInt32());

        var report = data.GetProperty("recipients");
        Assert.Equal(7, report.GetProperty("rows").GetInt32());
        Assert.Equal(3, report.GetProperty("accepted").GetInt32());
        Assert.Equal(3, report.GetProperty("invalid").GetInt32());
        Assert.Equal(1, report.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, report.GetProperty("errors_not_shown").GetInt32());
        Assert.Equal(
            [(3, "not a number", "INVALID_RECIPIENT"), (4, "", "MISSING_RECIPIENT"), (5, "14155550301", "DUPLICATE_RECIPIENT"), (6, "42", "INVALID_RECIPIENT")],
            report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("input").GetString()!, e.GetProperty("error_code").GetString()!)));

        var done = await WaitForCampaignAsync(key, id, c => c.GetProperty("status").GetString() == "completed" && c.GetProperty("progress").GetProperty("read").GetInt32() == 3);
        var progress = done.GetProperty("progress");
        Assert.Equal(3, progress.GetProperty("released").GetInt32());
        Assert.Equal(3, progress.GetProperty("sent").GetInt32());
        Assert.Equal(3, progress.GetProperty("delivered").GetInt32());
        Assert.Equal(0, progress.GetProperty("queued").GetInt32());
        Assert.Equal(0, progress.GetProperty("pending").GetInt32());
        Assert.Equal(0, progress.GetProperty("failed").GetInt32());
        Assert.False(progress.TryGetProperty("next_release_at", out _));

        Assert.Equal("Hi !", SentText("+14155550301"));
        Assert.Equal("Hi Ada!", SentText("+14155550302"));
        Assert.Equal("Hi Bob!", SentText("+14155550303"));
    }

    [Fact]
    public async Task A_csv_upload_with_quoted_fields_is_read_kept_in_blob_storage_and_reported_by_row()
    {
        var (accountId, key) = await NewAccountAsync("growth");
        const string csv =
            "\uFEFFRecipient,First_Name,note\r\n" +
            "+14155550311,\"Smith, Jane\",\"said \"\"hi\"\"\r\non two lines\"\r\n" +
            "+14155550312,Bob,\r\n" +
            "bogus,Carl,x\r\n" +
            "+1 (415) 555-0311,Dup,y\r\n" +
            "\r\n" +
            "+14155550313,Eve,z,extra\r\n" +
            "+14155550314,  Zoe  ,\r\n";
        var bytes = Encoding.UTF8.GetBytes(csv);

        var (status, body, _) = await UploadAsync(key, bytes, "list.csv", new() { ["text"] = "Hello {{first_name}}", ["interval_seconds"] = "0" });

        Assert.True(202 == status, body.ToString());
        var data = body.GetProperty("data");
        var id = data.GetProperty("campaign").GetProperty("id").GetString()!;
        var report = data.GetProperty("recipients");
        Assert.Equal(6, report.GetProperty("rows").GetInt32());
        Assert.Equal(3, report.GetProperty("accepted").GetInt32());
        Assert.Equal(2, report.GetProperty("invalid").GetInt32());
        Assert.Equal(1, report.GetProperty("duplicates").GetInt32());
        Assert.Equal(
            [(4, "bogus", "INVALID_RECIPIENT"), (5, "+1 (415) 555-0311", "DUPLICATE_RECIPIENT"), (7, "+14155550313", "INVALID_ROW")],
            report.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("input").GetString()!, e.GetProperty("error_code").GetString()!)));

        var upload = report.GetProperty("upload").GetString()!;
        Assert.Equal($"campaignuploads/{accountId}/{id}.csv", upload);
        var clients = Host.Service<StorageClients>();
        var blob = clients.Blobs.GetBlobContainerClient(clients.Name(CampaignUploadStore.ContainerName)).GetBlobClient(upload["campaignuploads/".Length..]);
        var stored = await blob.DownloadContentAsync();
        Assert.Equal(bytes, stored.Value.Content.ToArray());

        await WaitForCampaignAsync(key, id, c => c.GetProperty("progress").GetProperty("sent").GetInt32() == 3);
        Assert.Equal("Hello Smith, Jane", SentText("+14155550311"));
        Assert.Equal("Hello Bob", SentText("+14155550312"));
        Assert.Equal("Hello Zoe", SentText("+14155550314"));
    }

    [Fact]
    public async Task A_semicolon_csv_in_a_form_field_and_a_plain_list_of_numbers_are_read_too()
    {
        var (_, key) = await NewAccountAsync("growth");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["apikey"] = key,
            ["text"] = "Code {{code}}",
            ["interval_seconds"] = "0",
            ["recipients"] = "recipient;code\n+14155550321;A1\n+14155550322;B2\n",
        });
        using var response = await Host.Client.PostAsync("api/bulk", form);
        var body = await DevHostInstance.ReadAsync(response);
        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal(2, body.GetProperty("data").GetProperty("recipients").GetProperty("accepted").GetInt32());

        var (status, list, _) = await CreateAsync(key, new { text = "No template", interval_seconds = 0, recipients = "+14155550323, +14155550324\n+14155550325" });
        Assert.Equal(202, status);
        Assert.Equal(3, list.GetProperty("data").GetProperty("recipients").GetProperty("accepted").GetInt32());
        await Eventually.MatchesAsync(() => Task.FromResult(SentText("+14155550322")), t => t == "Code B2", TimeSpan.FromSeconds(30), "the templated send");
    }

    [Fact]
    public async Task The_starter_plan_is_refused_with_403_and_a_missing_key_with_401()
    {
        var (_, key) = await NewAccountAsync("starter");

        var (status, body, _) = await CreateAsync(key, new { text = "hi", recipients = new[] { "+14155550331" } });
        AssertError(status, body, 403, "BULK_NOT_ALLOWED");

        using var anonymous = await Host.Client.PostAsync("api/bulk", JsonContent.Create(new { text = "hi", recipients = new[] { "+14155550331" } }));
        AssertError((int)anonymous.StatusCode, await DevHostInstance.ReadAsync(anonymous), 401, "INVALID_KEY");
    }

    public static TheoryData<string, Dictionary<string, object?>, int, string> BadRequests => new()
    {
        { "no recipients", new() { ["text"] = "hi" }, 400, "INVALID_RECIPIENTS" },
        { "empty recipients", new() { ["text"] = "hi", ["recipients"] = Array.Empty<string>() }, 400, "INVALID_RECIPIENTS" },
        { "no valid recipient", new() { ["text"] = "hi", ["recipients"] = new[] { "nope", "+1" } }, 400, "INVALID_RECIPIENTS" },
        { "recipients not an array", new() { ["text"] = "hi", ["recipients"] = new { a = 1 } }, 400, "INVALID_RECIPIENTS" },
        { "a single recipient field", new() { ["text"] = "hi", ["recipient"] = "+14155550341", ["recipients"] = new[] { "+14155550341" } }, 400, "WRONG_FIELD_NAME" },
        { "no content", new() { ["recipients"] = new[] { "+14155550341" } }, 400, "MISSING_CONTENT" },
        { "mixed content", new() { ["copycode"] = "123", ["file"] = "https://example.com/a.jpg", ["recipients"] = new[] { "+14155550341" } }, 400, "CONFLICTING_MESSAGE_TYPES" },
        { "bad media url", new() { ["file"] = "ftp://x/y.jpg", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_MEDIA_URL" },
        { "otp priority", new() { ["text"] = "hi", ["priority"] = "otp", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_PRIORITY" },
        { "negative interval", new() { ["text"] = "hi", ["interval_seconds"] = -1, ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_SCHEDULE" },
        { "interval not a number", new() { ["text"] = "hi", ["interval_seconds"] = "soon", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_SCHEDULE" },
        { "jitter of one", new() { ["text"] = "hi", ["jitter"] = 1, ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_SCHEDULE" },
        { "window start only", new() { ["text"] = "hi", ["window_start"] = "09:00", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_SCHEDULE" },
        { "window not a time", new() { ["text"] = "hi", ["window_start"] = "9am", ["window_end"] = "17:00", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_SCHEDULE" },
        { "unknown time zone", new() { ["text"] = "hi", ["window_start"] = "09:00", ["window_end"] = "17:00", ["time_zone"] = "Mars/Olympus", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_SCHEDULE" },
        { "template without variables", new() { ["text"] = "Hi {{name}}", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_TEMPLATE" },
        { "placeholder in a button", new() { ["text"] = "Choose", ["button1"] = "{{name}}", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_TEMPLATE" },
        { "malformed placeholder", new() { ["text"] = "Hi {{first name}}", ["recipients"] = new[] { "+14155550341" } }, 400, "INVALID_TEMPLATE" },
        { "recipients a broken json array", new() { ["text"] = "hi", ["recipients"] = "[\"+14155550341\"," }, 400, "INVALID_RECIPIENTS" },
        { "unknown session", new() { ["text"] = "hi", ["session"] = "nope", ["recipients"] = new[] { "+14155550341" } }, 404, "SESSION_NOT_FOUND" },
        { "duplicate field", new() { ["text"] = "hi", ["TEXT"] = "again", ["recipients"] = new[] { "+14155550341" } }, 400, "DUPLICATE_FIELD" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_campaign_requests_get_a_clear_4xx_with_an_error_code(string why, Dictionary<string, object?> fields, int expectedStatus, string expectedCode)
    {
        var key = await SharedGrowthKeyAsync();
        var (status, body, _) = await CreateAsync(key, fields);
        Assert.True(expectedStatus == status, $"{why}: {status} {body}");
        AssertError(status, body, expectedStatus, expectedCode);
    }

    [Fact]
    public async Task Bad_uploads_get_a_clear_4xx_with_an_error_code()
    {
        var key = await SharedGrowthKeyAsync();

        var (status, body, _) = await UploadAsync(key, Encoding.UTF8.GetBytes("recipient,name\n+14155550351,\"Ada\n"), "open.csv", new() { ["text"] = "hi" });
        AssertError(status, body, 400, "INVALID_RECIPIENTS");
        Assert.Contains("never closes", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        (status, body, _) = await UploadAsync(key, Encoding.UTF8.GetBytes("+14155550351\n+14155550352\n"), "no-header.csv", new() { ["text"] = "hi" });
        AssertError(status, body, 400, "INVALID_RECIPIENTS");
        Assert.Contains("header", body.GetProperty("hint").GetString(), StringComparison.Ordinal);

        (status, body, _) = await UploadAsync(key, Encoding.UTF8.GetBytes("recipient,name\n+14155550351,Ada\n"), "list.csv", new() { ["text"] = "Hi {{surname}}" });
        AssertError(status, body, 400, "INVALID_TEMPLATE");

        (status, body, _) = await UploadAsync(key, [0x72, 0x65, 0xff, 0xfe], "latin1.csv", new() { ["text"] = "hi" });
        AssertError(status, body, 400, "UNSUPPORTED_CHARSET");

        using var wrongFile = new MultipartFormDataContent { { new StringContent("hi"), "text" }, { new ByteArrayContent([1, 2, 3]), "file", "cat.jpg" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/bulk") { Content = wrongFile };
        request.Headers.Add("X-API-Key", key);
        using var response = await Host.Client.SendAsync(request);
        AssertError((int)response.StatusCode, await DevHostInstance.ReadAsync(response), 400, "UPLOAD_NOT_SUPPORTED");

        using var notJson = new HttpRequestMessage(HttpMethod.Post, "api/bulk") { Content = new StringContent("{\"text\":", Encoding.UTF8, "application/json") };
        notJson.Headers.Add("X-API-Key", key);
        using var notJsonResponse = await Host.Client.SendAsync(notJson);
        AssertError((int)notJsonResponse.StatusCode, await DevHostInstance.ReadAsync(notJsonResponse), 400, "MALFORMED_BODY");
    }

    [Fact]
    public async Task Pause_resume_and_cancel_steer_the_campaign_and_cancel_stops_only_the_unreleased_recipients()
    {
        var (_, key) = await NewAccountAsync("growth");
        var (_, otherKey) = await NewAccountAsync("growth");
        var numbers = Enumerable.Range(0, 25).Select(i => "+1415555" + (400 + i).ToString("D4", CultureInfo.InvariantCulture)).ToArray();
        var (status, body, _) = await CreateAsync(key, new { text = "Slow news", interval_seconds = 30, jitter = 0.1, recipients = numbers });
        Assert.Equal(202, status);
        var id = body.GetProperty("data").GetProperty("campaign").GetProperty("id").GetString()!;

        // The first batch (10 by default) is released, each at its own time 30 s apart; the rest wait.
        var running = await WaitForCampaignAsync(key, id, c => c.GetProperty("progress").GetProperty("released").GetInt32() >= 10);
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal(15, running.GetProperty("progress").GetProperty("pending").GetInt32());
        Assert.True(running.GetProperty("progress").GetProperty("next_release_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(60));
        Assert.Equal(30, running.GetProperty("schedule").GetProperty("interval_seconds").GetDouble());
        Assert.Equal(0.1, running.GetProperty("schedule").GetProperty("jitter").GetDouble());

        // Another account's key sees no such campaign.
        AssertError(await ControlAsync(otherKey, id, "pause"), 404, "CAMPAIGN_NOT_FOUND");
        var (otherStatus, otherBody) = await GetAsync(otherKey, "api/bulk/" + id);
        AssertError(otherStatus, otherBody, 404, "CAMPAIGN_NOT_FOUND");
        var (badIdStatus, badIdBody) = await GetAsync(key, "api/bulk/cmp_nope");
        AssertError(badIdStatus, badIdBody, 404, "CAMPAIGN_NOT_FOUND");

        var paused = await ControlOkAsync(key, id, "pause");
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        Assert.Equal("paused by request", paused.GetProperty("status_reason").GetString());
        var (_, pausedGet) = await GetAsync(key, "api/bulk/" + id);
        Assert.False(pausedGet.GetProperty("data").GetProperty("progress").TryGetProperty("next_release_at", out _));
        Assert.Equal("paused", (await ControlOkAsync(key, id, "pause")).GetProperty("status").GetString());

        Assert.Equal("running", (await ControlOkAsync(key, id, "resume")).GetProperty("status").GetString());

        var cancelled = await ControlOkAsync(key, id, "cancel");
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        Assert.Equal("cancelled", (await ControlOkAsync(key, id, "cancel")).GetProperty("status").GetString());
        AssertError(await ControlAsync(key, id, "pause"), 409, "CAMPAIGN_NOT_ACTIVE");
        AssertError(await ControlAsync(key, id, "resume"), 409, "CAMPAIGN_NOT_ACTIVE");

        // Released recipients are messages of their own: the first goes out; the unreleased never do.
        var after = await WaitForCampaignAsync(key, id, c => c.GetProperty("progress").GetProperty("sent").GetInt32() >= 1);
        var progress = after.GetProperty("progress");
        var released = progress.GetProperty("released").GetInt32();
        Assert.Equal(10, released);
        Assert.Equal(0, progress.GetProperty("pending").GetInt32());
        Assert.Equal(25 - released, progress.GetProperty("cancelled").GetInt32());
        Assert.Equal(released, progress.GetProperty("queued").GetInt32() + progress.GetProperty("sent").GetInt32() + progress.GetProperty("failed").GetInt32());
        await Task.Delay(500);
        var unreleased = numbers.Skip(released).ToHashSet();
        Assert.DoesNotContain(Host.Service<SandboxEngine>().Sent, s => unreleased.Contains(s.Request.Recipient));

        var (listStatus, list) = await GetAsync(key, "api/bulk");
        Assert.Equal(200, listStatus);
        var item = Assert.Single(list.GetProperty("data").GetProperty("items").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetString());
        Assert.Equal(1, list.GetProperty("data").GetProperty("total").GetInt32());
        Assert.False(item.GetProperty("progress").TryGetProperty("sent", out _));
    }

    [Fact]
    public async Task The_list_is_newest_first_filters_by_status_and_checks_its_query()
    {
        var (_, key) = await NewAccountAsync("growth");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            // More recipients than one release batch (10): the rest wait an hour, so the campaign stays running.
            var recipients = Enumerable.Range(0, 12).Select(j => "+1415555" + (500 + (i * 20) + j).ToString("D4", CultureInfo.InvariantCulture)).ToArray();
            var (status, body, _) = await CreateAsync(key, new { name = "c" + i, text = "hello", interval_seconds = 3600, recipients });
            Assert.Equal(202, status);
            ids.Add(body.GetProperty("data").GetProperty("campaign").GetProperty("id").GetString()!);
        }

        await ControlOkAsync(key, ids[0], "cancel");
        var (_, all) = await GetAsync(key, "api/bulk");
        Assert.Equal(ids.AsEnumerable().Reverse(), all.GetProperty("data").GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()));

        var (_, cancelled) = await GetAsync(key, "api/bulk?status=cancelled");
        Assert.Equal(ids[0], Assert.Single(cancelled.GetProperty("data").GetProperty("items").EnumerateArray()).GetProperty("id").GetString());

        var (_, limited) = await GetAsync(key, "api/bulk?limit=1");
        Assert.Single(limited.GetProperty("data").GetProperty("items").EnumerateArray());
        Assert.Equal(3, limited.GetProperty("data").GetProperty("total").GetInt32());

        var (badLimit, badLimitBody) = await GetAsync(key, "api/bulk?limit=0");
        AssertError(badLimit, badLimitBody, 400, "INVALID_QUERY");
        var (badStatus, badStatusBody) = await GetAsync(key, "api/bulk?status=done");
        AssertError(badStatus, badStatusBody, 400, "INVALID_QUERY");
    }

    [Fact]
    public async Task An_idempotency_key_makes_a_retry_return_the_first_campaign_and_a_different_one_a_409()
    {
        var (_, key) = await NewAccountAsync("growth");
        var request = new { text = "once", interval_seconds = 3600, idempotency_key = "promo-1", recipients = new[] { "+14155550601", "+14155550602" } };

        var (first, firstBody, _) = await CreateAsync(key, request);
        var (second, secondBody, _) = await CreateAsync(key, request);

        Assert.Equal(202, first);
        Assert.Equal(202, second);
        var id = firstBody.GetProperty("data").GetProperty("campaign").GetProperty("id").GetString();
        Assert.NotNull(id);
        Assert.Equal(id, secondBody.GetProperty("data").GetProperty("campaign").GetProperty("id").GetString());
        Assert.StartsWith("Campaign already created", secondBody.GetProperty("message").GetString(), StringComparison.Ordinal);
        var (_, list) = await GetAsync(key, "api/bulk");
        Assert.Single(list.GetProperty("data").GetProperty("items").EnumerateArray());

        var (conflict, conflictBody, _) = await CreateAsync(key, new { text = "something else", interval_seconds = 3600, idempotency_key = "promo-1", recipients = new[] { "+14155550601" } });
        AssertError(conflict, conflictBody, 409, "IDEMPOTENCY_MISMATCH");
    }

    [Fact]
    public async Task A_request_of_100000_rows_is_validated_deduplicated_and_answered_with_a_capped_report()
    {
        // 100,000 rows: 2,000 distinct numbers, each 49 more times, and 2,000 that are not numbers.
        // (Azurite's tables slow down with their size, so the devhost stores a modest campaign; the
        // rows are what this test is about.)
        var (_, key) = await NewAccountAsync("growth");
        var rows = new List<string>(100_000);
        for (var i = 0; i < 98_000; i++)
        {
            rows.Add(LargeNumber(i % 2_000));
        }

        for (var i = 0; i < 2_000; i++)
        {
            rows.Add("bad-" + i.ToString(CultureInfo.InvariantCulture));
        }

        var watch = Stopwatch.StartNew();
        using var content = new StringContent(JsonSerializer.Serialize(new { text = "Big news", interval_seconds = 3600, recipients = rows }), Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/bulk") { Content = content };
        request.Headers.Add("X-API-Key", key);
        using var response = await Host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        watch.Stop();

        Assert.True(202 == (int)response.StatusCode, text);
        Assert.True(text.Length < 30_000, $"response of {text.Length} characters");
        var data = JsonDocument.Parse(text).RootElement.GetProperty("data");
        var report = data.GetProperty("recipients");
        Assert.Equal(100_000, report.GetProperty("rows").GetInt32());
        Assert.Equal(2_000, report.GetProperty("accepted").GetInt32());
        Assert.Equal(2_000, report.GetProperty("invalid").GetInt32());
        Assert.Equal(96_000, report.GetProperty("duplicates").GetInt32());
        Assert.Equal(100, report.GetProperty("errors").GetArrayLength());
        Assert.Equal(97_900, report.GetProperty("errors_not_shown").GetInt32());
        var first = report.GetProperty("errors")[0];
        Assert.Equal(2_001, first.GetProperty("row").GetInt32());
        Assert.Equal("DUPLICATE_RECIPIENT", first.GetProperty("error_code").GetString());
        Assert.Contains("(row 1)", first.GetProperty("error").GetString(), StringComparison.Ordinal);
        var id = data.GetProperty("campaign").GetProperty("id").GetString()!;
        Assert.Equal(2_000, data.GetProperty("campaign").GetProperty("progress").GetProperty("total").GetInt32());
        await ControlOkAsync(key, id, "cancel");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"creating took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_list_of_5000_is_answered_while_its_recipients_are_still_being_stored_and_then_holds_all_of_them()
    {
        var (_, key) = await NewAccountAsync("growth");
        var numbers = Enumerable.Range(0, 5_000).Select(LargeNumber).ToArray();

        // A daily window twelve hours away: nothing is released, so the test costs only the preparation.
        var window = DateTime.UtcNow.AddHours(12);
        var (status, body, _) = await CreateAsync(key, new
        {
            text = "Later",
            interval_seconds = 1,
            window_start = window.ToString("HH:00", CultureInfo.InvariantCulture),
            window_end = window.AddHours(1).ToString("HH:00", CultureInfo.InvariantCulture),
            time_zone = "UTC",
            recipients = numbers,
        });

        Assert.True(202 == status, body.ToString());
        var campaign = body.GetProperty("data").GetProperty("campaign");
        var id = campaign.GetProperty("id").GetString()!;
        Assert.Equal("preparing", campaign.GetProperty("status").GetString());
        Assert.Equal(5_000, campaign.GetProperty("progress").GetProperty("total").GetInt32());
        Assert.Equal(5_000, campaign.GetProperty("progress").GetProperty("pending").GetInt32());

        var running = await WaitForCampaignAsync(key, id, c => c.GetProperty("status").GetString() == "running");
        var progress = running.GetProperty("progress");
        Assert.Equal((5_000, 5_000, 0), (progress.GetProperty("total").GetInt32(), progress.GetProperty("pending").GetInt32(), progress.GetProperty("released").GetInt32()));
        Assert.True(progress.GetProperty("next_release_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(10));
        var last = await Host.Service<CampaignStore>().GetRecipientsAsync(id, 4_990, 20, default);
        Assert.Equal(Enumerable.Range(4_990, 10), last.Select(r => r.Index));
        Assert.Equal(LargeNumber(4_999), last[^1].Recipient);
        Assert.Equal("cancelled", (await ControlOkAsync(key, id, "cancel")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task More_rows_than_a_campaign_may_have_are_refused()
    {
        var key = await SharedGrowthKeyAsync();
        var rows = Enumerable.Range(0, 100_001).Select(i => LargeNumber(i % 100)).ToList();

        var (status, body, _) = await CreateAsync(key, new { text = "Too many", recipients = rows });

        AssertError(status, body, 400, "INVALID_RECIPIENTS");
        Assert.Contains("100000", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    internal static string LargeNumber(int i) =>
        "+1212" + (2_000_000 + i).ToString("D7", CultureInfo.InvariantCulture);

    private string? SentText(string recipient) => Api.SentText(recipient);

    private async Task<string> SharedGrowthKeyAsync() => fixture.GrowthKey ??= (await NewAccountAsync("growth")).Key;

    private Task<(string AccountId, string Key)> NewAccountAsync(string plan) => Api.NewAccountAsync(plan);

    private Task<(int Status, JsonElement Body, string? Location)> CreateAsync(string key, object fields) => Api.CreateAsync(key, fields);

    private Task<(int Status, JsonElement Body, string? Location)> UploadAsync(string key, byte[] file, string fileName, Dictionary<string, string> fields) =>
        Api.UploadAsync(key, file, fileName, fields);

    private Task<(int Status, JsonElement Body)> GetAsync(string key, string path) => Api.GetAsync(key, path);

    private Task<(int Status, JsonElement Body)> ControlAsync(string key, string id, string action) => Api.ControlAsync(key, id, action);

    private Task<JsonElement> ControlOkAsync(string key, string id, string action) => Api.ControlOkAsync(key, id, action);

    private Task<JsonElement> WaitForCampaignAsync(string key, string id, Func<JsonElement, bool> condition) => Api.WaitForCampaignAsync(key, id, condition);

    private static void AssertError((int Status, JsonElement Body) result, int expectedStatus, string expectedCode) =>
        BulkApi.AssertError(result.Status, result.Body, expectedStatus, expectedCode);

    private static void AssertError(int status, JsonElement body, int expectedStatus, string expectedCode) =>
        BulkApi.AssertError(status, body, expectedStatus, expectedCode);

    /// <summary>
    /// Spacing, end to end, on a devhost of its own. The devhost's Storage Queues make a message
    /// visible at whole seconds, so sub-second intervals leave the connector in per-second bursts;
    /// what holds for any interval is the cumulative bound: recipient i is released no earlier than
    /// the sum of the i intervals before it, so the k-th send (in time order) comes no earlier than
    /// that after the campaign began.
    /// </summary>
    [Collection(BulkCollection.Name)]
    public sealed class Pacing(BulkPacingFixture fixture) : IClassFixture<BulkPacingFixture>
    {
        private BulkApi Api => new(fixture.Host);

        [Fact]
        public async Task A_campaign_of_1000_recipients_at_5_ms_sends_each_once_and_never_faster_than_its_interval()
        {
            var (_, key) = await Api.NewAccountAsync("bulkfast");
            var numbers = Enumerable.Range(0, 1000).Select(i => "+1212300" + i.ToString("D4", CultureInfo.InvariantCulture)).ToArray();
            var interval = TimeSpan.FromMilliseconds(5);
            var watch = Stopwatch.StartNew();

            var (status, body, _) = await Api.CreateAsync(key, new { text = "Flash sale", interval_seconds = 0.005, recipients = numbers });

            Assert.True(202 == status, body.ToString());
            var campaign = body.GetProperty("data").GetProperty("campaign");
            var id = campaign.GetProperty("id").GetString()!;
            var createdAt = campaign.GetProperty("created_at").GetDateTimeOffset();
            Assert.Equal(1000, body.GetProperty("data").GetProperty("recipients").GetProperty("accepted").GetInt32());

            // About 40 s on an idle two-core machine; several times that while the other test projects
            // share the cores and the one Azurite. The bound is on correctness, not speed.
            var sent = await Api.WaitForSendsAsync(numbers, TimeSpan.FromSeconds(300));
            watch.Stop();

            Assert.Equal(1000, sent.Select(s => s.Request.Recipient).Distinct().Count());
            Assert.Equal(1000, sent.Select(s => s.Request.MessageId).Distinct().Count());
            Assert.All(sent, s => Assert.Equal("Flash sale", Assert.IsType<TextContent>(s.Request.Content).Text));
            var times = sent.Select(s => s.At).Order().ToList();
            for (var k = 0; k < times.Count; k++)
            {
                Assert.True(times[k] >= createdAt + (interval * k) - TimeSpan.FromMilliseconds(1), $"send {k} at {times[k]:O}, campaign created {createdAt:O}");
            }

            var done = await Api.WaitForCampaignAsync(key, id, c => c.GetProperty("status").GetString() == "completed" && c.GetProperty("progress").GetProperty("sent").GetInt32() == 1000);
            Assert.Equal(1000, done.GetProperty("progress").GetProperty("released").GetInt32());
            Assert.Equal(0, done.GetProperty("progress").GetProperty("queued").GetInt32());
            Console.WriteLine($"1,000 recipients at 5 ms: all sent {watch.Elapsed.TotalSeconds:F1} s after the request; sends spanned {(times[^1] - times[0]).TotalSeconds:F1} s");
        }

        [Fact]
        public async Task A_campaign_at_250_ms_with_jitter_is_spread_over_its_intervals_neither_faster_nor_much_slower()
        {
            var (_, key) = await Api.NewAccountAsync("bulkfast");
            var numbers = Enumerable.Range(0, 40).Select(i => "+1212301" + i.ToString("D4", CultureInfo.InvariantCulture)).ToArray();
            var interval = TimeSpan.FromMilliseconds(250);
            const double jitter = 0.2;

            var (status, body, _) = await Api.CreateAsync(key, new { text = "Paced", interval_seconds = 0.25, jitter, recipients = numbers });

            Assert.True(202 == status, body.ToString());
            var createdAt = body.GetProperty("data").GetProperty("campaign").GetProperty("created_at").GetDateTimeOffset();
            var sent = await Api.WaitForSendsAsync(numbers, TimeSpan.FromSeconds(60));
            var times = sent.Select(s => s.At).Order().ToList();
            for (var k = 0; k < times.Count; k++)
            {
                Assert.True(times[k] >= createdAt + (interval * (k * (1 - jitter))) - TimeSpan.FromMilliseconds(1), $"send {k} at {times[k]:O}, campaign created {createdAt:O}");
            }

            // 39 intervals of 200..300 ms: about 10 s in all, plus a second of queue rounding and the sends themselves (8 s of slack for a busy Azurite).
            var last = times[^1] - createdAt;
            Assert.True(last >= interval * (39 * (1 - jitter)) && last <= interval * (39 * (1 + jitter)) + TimeSpan.FromSeconds(8), $"the last send came {last} after the campaign was created");
        }
    }

    /// <summary>The CSV reader and the recipient rules on their own, without a devhost.</summary>
    public sealed class Parsing
    {
        private static List<(int Row, string[] Cells)> ReadAll(string text)
        {
            var reader = new CsvReader(text, CsvReader.DetectDelimiter(text));
            var cells = new List<string>();
            var rows = new List<(int, string[])>();
            while (reader.TryRead(cells, out var row))
            {
                rows.Add((row, cells.ToArray()));
            }

            return rows;
        }

        [Fact]
        public void Quoted_fields_hold_delimiters_quotes_and_line_breaks_and_rows_are_numbered_as_in_a_spreadsheet()
        {
            var rows = ReadAll("\uFEFFa,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\n\n  plain  ,\"  kept  \" ,\r\nlast,\"\",z");

            Assert.Equal([1, 2, 3, 4, 5], rows.Select(r => r.Row));
            Assert.Equal(["a", "b", "c"], rows[0].Cells);
            Assert.Equal(["x, y", "he said \"hi\"", "two\nlines"], rows[1].Cells);
            Assert.Equal([string.Empty], rows[2].Cells);
            Assert.Equal(["plain", "  kept  ", string.Empty], rows[3].Cells);
            Assert.Equal(["last", string.Empty, "z"], rows[4].Cells);
        }

        [Theory]
        [InlineData("recipient,name\n", ',')]
        [InlineData("recipient;name;\"a,b\"\n", ';')]
        [InlineData("recipient\tname\n", '\t')]
        [InlineData("recipient\n", ',')]
        public void The_delimiter_is_detected_from_the_header(string text, char expected) =>
            Assert.Equal(expected, CsvReader.DetectDelimiter(text));

        [Fact]
        public void A_quoted_field_that_never_closes_names_its_row()
        {
            var e = Assert.Throws<CsvFormatException>(() => ReadAll("recipient,name\n+14155550123,\"Ada\n+14155550124,Bob\n"));
            Assert.Equal(2, e.Row);
        }

        [Fact]
        public void Rendered_templates_are_checked_per_row_and_only_used_variables_are_kept()
        {
            var builder = new RecipientListBuilder(new TextContent("Hi {{name}} " + new string('x', 4000)), 10, 10);
            builder.Add(1, "+14155550123", n => n == "name" ? "Ada" : "unused");
            builder.Add(2, "+14155550124", _ => new string('y', 100));
            builder.Add(3, "+14155550125", _ => new string('y', RecipientListBuilder.MaxVariableLength + 1));

            var recipient = Assert.Single(builder.Recipients);
            Assert.Equal(new Dictionary<string, string> { ["name"] = "Ada" }, recipient.Variables);
            Assert.Equal(["TEXT_TOO_LONG", "INVALID_VARIABLES"], builder.Errors.Select(e => e.ErrorCode));
        }

        [Fact]
        public void Template_message_parameters_are_filled_per_row_and_rows_whatsapp_would_refuse_are_left_out()
        {
            var content = new TemplateContent("order_update", "en", ["{{name}}", "{{ order }}"], TemplateHeader.OfText("Hi {{name}}"), [new(TemplateButtonKind.Url, 0, "track/{{order}}")]);
            var builder = new RecipientListBuilder(content, 10, 10);
            builder.Add(1, "+14155550123", n => n == "name" ? "Ada" : "1042");
            builder.Add(2, "+14155550124", n => n == "name" ? "Bob" : null);
            builder.Add(3, "+14155550125", n => n == "name" ? "Line\nbreak" : "7");

            Assert.Equal(["name", "order"], builder.Placeholders);
            var recipient = Assert.Single(builder.Recipients);
            Assert.Equal(
                new TemplateContent("order_update", "en", ["Ada", "1042"], TemplateHeader.OfText("Hi Ada"), [new(TemplateButtonKind.Url, 0, "track/1042")]),
                WaServerless.Core.Bulk.CampaignTemplate.Render(content, recipient.Variables));
            Assert.Equal(["INVALID_TEMPLATE_MESSAGE", "INVALID_TEMPLATE_MESSAGE"], builder.Errors.Select(e => e.ErrorCode));
        }

        [Fact]
        public void A_hundred_thousand_distinct_numbers_are_validated_quickly()
        {
            var builder = new RecipientListBuilder(new TextContent("Hi {{name}}"), 100_000, 100);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 100_000; i++)
            {
                builder.Add(i + 1, LargeNumber(i), _ => "Ada");
            }

            Assert.Equal(100_000, builder.Recipients.Count);
            Assert.Equal(0, builder.ErrorCount);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        }

        [Fact]
        public void More_rows_than_allowed_is_refused_outright()
        {
            var builder = new RecipientListBuilder(new TextContent("hi"), 2, 10);
            builder.Add(1, "+14155550123", null);
            builder.Add(2, "+14155550124", null);
            var e = Assert.Throws<WaServerless.Core.Errors.ApiErrorException>(() => builder.Add(3, "+14155550125", null));
            Assert.Equal("INVALID_RECIPIENTS", e.Error.Code);
        }

        [Fact]
        public void The_numbers_the_large_tests_use_are_valid_and_distinct()
        {
            var thousand = Enumerable.Range(0, 1000).Select(i => PhoneNumberNormalizer.TryNormalize("+1212300" + i.ToString("D4", CultureInfo.InvariantCulture))).ToList();
            Assert.All(thousand, n => Assert.NotNull(n));
            Assert.Equal(1000, thousand.Distinct().Count());
            var us = Enumerable.Range(0, 99_800).Where(i => i % 997 == 0).Select(LargeNumber).ToList();
            Assert.All(us, n => Assert.NotNull(PhoneNumberNormalizer.TryNormalize(n)));
            Assert.All(Enumerable.Range(0, 40), i => Assert.NotNull(PhoneNumberNormalizer.TryNormalize("+1212301" + i.ToString("D4", CultureInfo.InvariantCulture))));
        }
    }
}

/// <summary>The bulk API over HTTP for the tests: accounts, requests and waits against one devhost.</summary>
internal sealed class BulkApi(DevHostInstance host)
{
    public string? SentText(string recipient) =>
        host.Service<SandboxEngine>().Sent.Where(s => s.Request.Recipient == recipient).Select(s => (s.Request.Content as TextContent)?.Text).LastOrDefault();

    /// <summary>The Sandbox's sends to these numbers, once there is one for each.</summary>
    public Task<List<SandboxSentMessage>> WaitForSendsAsync(IReadOnlyCollection<string> numbers, TimeSpan timeout)
    {
        var wanted = numbers.ToHashSet();
        return Eventually.MatchesAsync(
            () => Task.FromResult(host.Service<SandboxEngine>().Sent.Where(s => wanted.Contains(s.Request.Recipient)).ToList()),
            s => s.Count >= wanted.Count,
            timeout,
            $"{wanted.Count} campaign sends");
    }

    public async Task<(string AccountId, string Key)> NewAccountAsync(string plan)
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/accounts") { Content = JsonContent.Create(new { name = "Bulk " + Guid.NewGuid().ToString("N")[..6], plan }) };
        create.Headers.Add("X-Admin-Key", DevHostInstance.AdminKey);
        using var created = await host.Client.SendAsync(create);
        Assert.Equal(201, (int)created.StatusCode);
        var accountId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;

        using var keyRequest = new HttpRequestMessage(HttpMethod.Post, $"api/accounts/{accountId}/keys") { Content = JsonContent.Create(new { name = "bulk" }) };
        keyRequest.Headers.Add("X-Admin-Key", DevHostInstance.AdminKey);
        using var keyResponse = await host.Client.SendAsync(keyRequest);
        Assert.Equal(201, (int)keyResponse.StatusCode);
        var key = (await DevHostInstance.ReadAsync(keyResponse)).GetProperty("data").GetProperty("key").GetString()!;
        await host.WaitForSessionAsync(key, "default", "connected");
        return (accountId, key);
    }

    public async Task<(int Status, JsonElement Body, string? Location)> CreateAsync(string key, object fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/bulk") { Content = JsonContent.Create(fields) };
        request.Headers.Add("X-API-Key", key);
        using var response = await host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response), response.Headers.Location?.ToString());
    }

    public async Task<(int Status, JsonElement Body, string? Location)> UploadAsync(string key, byte[] file, string fileName, Dictionary<string, string> fields)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }

        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(part, "recipients", fileName);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/bulk") { Content = form };
        request.Headers.Authorization = AuthHeaders.Bearer(key);
        using var response = await host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response), response.Headers.Location?.ToString());
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string key, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-API-Key", key);
        using var response = await host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> ControlAsync(string key, string id, string action)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/bulk/{id}/{action}");
        request.Headers.Add("X-API-Key", key);
        using var response = await host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    public async Task<JsonElement> ControlOkAsync(string key, string id, string action)
    {
        var (status, body) = await ControlAsync(key, id, action);
        Assert.True(status == 200, $"{action}: {status} {body}");
        return body.GetProperty("data");
    }

    public async Task<JsonElement> WaitForCampaignAsync(string key, string id, Func<JsonElement, bool> condition) =>
        (await Eventually.MatchesAsync(
            async () =>
            {
                var (status, body) = await GetAsync(key, "api/bulk/" + id);

                // A 503 from a storage call that timed out on the shared machine is not an answer yet: ask again, as WaitForStatusAsync does.
                if (status == 503)
                {
                    return (JsonElement?)null;
                }

                Assert.True(status == 200, $"GET campaign: {status} {body}");
                return body.GetProperty("data");
            },
            found => found is { } campaign && condition(campaign),
            TimeSpan.FromSeconds(60),
            $"campaign {id}"))!.Value;

    public static void AssertError(int status, JsonElement body, int expectedStatus, string expectedCode)
    {
        Assert.True(expectedStatus == status, $"expected {expectedStatus} {expectedCode}, got {status} {body}");
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(expectedCode, body.GetProperty("error_code").GetString());
        Assert.Equal(expectedStatus, body.GetProperty("code").GetInt32());
    }
}
