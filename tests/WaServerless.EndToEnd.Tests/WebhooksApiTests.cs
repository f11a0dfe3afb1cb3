using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Webhooks;
using WaServerless.TestKit;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace WaServerless.EndToEnd.Tests;

/// <summary>The webhooks API over HTTP on the devhost, with a WireMock.Net receiver on loopback.</summary>
public sealed class WebhooksApiTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>, IDisposable
{
    private readonly WireMockServer _receiver = StartReceiver();

    private DevHostInstance Host => fixture.Host;

    public void Dispose()
    {
        _receiver.Stop();
        _receiver.Dispose();
    }

    private static WireMockServer StartReceiver()
    {
        var port = LoopbackPorts.Free();
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{port}"] });
        server.Given(Request.Create().WithPath("/hooks").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        return server;
    }

    private async Task<(int Status, JsonElement Body)> CallAsync(HttpMethod method, string path, object? body = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-API-Key", apiKey ?? Host.ApiKey);
        using var response = await Host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    private async Task<string> NewAccountKeyAsync()
    {
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/accounts") { Content = JsonContent.Create(new { name = "Hooks " + Guid.NewGuid().ToString("N")[..6], plan = "starter" }) };
        create.Headers.Add("X-Admin-Key", DevHostInstance.AdminKey);
        using var created = await Host.Client.SendAsync(create);
        var accountId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;
        using var keyRequest = new HttpRequestMessage(HttpMethod.Post, $"api/accounts/{accountId}/keys") { Content = JsonContent.Create(new { name = "ci" }) };
        keyRequest.Headers.Add("X-Admin-Key", DevHostInstance.AdminKey);
        using var key = await Host.Client.SendAsync(keyRequest);
        return (await DevHostInstance.ReadAsync(key)).GetProperty("data").GetProperty("key").GetString()!;
    }

    private static void AssertError((int Status, JsonElement Body) response, int status, string code)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal(code, response.Body.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task A_registered_webhook_receives_signed_status_events_for_sent_delivered_and_read()
    {
        var (created, body) = await CallAsync(HttpMethod.Post, "api/webhooks", new { url = _receiver.Url + "/hooks", events = new[] { "message.status" } });
        Assert.Equal(201, created);
        var webhook = body.GetProperty("data");
        var id = webhook.GetProperty("id").GetString()!;
        var secret = webhook.GetProperty("secret").GetString()!;
        Assert.StartsWith("whsec_", secret, StringComparison.Ordinal);

        var (sent, accepted) = await Host.SendJsonAsync(new { recipient = "+14155550777", text = "webhook me" });
        Assert.Equal(202, sent);
        var queueId = accepted.GetProperty("data").GetProperty("queue_id").GetString()!;
        await Host.WaitForStatusAsync(queueId, "read");

        var events = await Eventually.MatchesAsync(
            () => Task.FromResult(StatusEventsFor(queueId)),
            e => new[] { "sent", "delivered", "read" }.All(s => e.Any(x => x.Status == s)),
            TimeSpan.FromSeconds(30),
            $"sent, delivered and read webhooks for {queueId}");
        foreach (var (entry, _, json) in events)
        {
            var raw = Encoding.UTF8.GetBytes(entry.RequestMessage.Body!);
            Assert.True(WebhookSignature.Verify(secret, entry.RequestMessage.Headers![WebhookSignature.SignatureHeader].Single(), raw, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
            Assert.Equal(json.GetProperty("id").GetString(), entry.RequestMessage.Headers[WebhookSignature.EventIdHeader].Single());
            Assert.Equal("message.status", json.GetProperty("type").GetString());
            Assert.Equal("+14155550777", json.GetProperty("data").GetProperty("recipient").GetString());
            Assert.Equal("default", json.GetProperty("data").GetProperty("session").GetString());
        }

        var (_, shown) = await CallAsync(HttpMethod.Get, $"api/webhooks/{id}");
        var data = shown.GetProperty("data");
        Assert.Equal("200", data.GetProperty("last_status").GetString());
        Assert.Equal(0, data.GetProperty("consecutive_failures").GetInt32());
        Assert.False(data.TryGetProperty("secret", out _));
        var (_, listed) = await CallAsync(HttpMethod.Get, "api/webhooks");
        Assert.DoesNotContain(secret["whsec_".Length..], listed.GetRawText(), StringComparison.Ordinal);
        Assert.Contains(listed.GetProperty("data").EnumerateArray(), w => w.GetProperty("id").GetString() == id);
    }

    private List<(ILogEntry Entry, string Status, JsonElement Json)> StatusEventsFor(string queueId)
    {
        var found = new List<(ILogEntry, string, JsonElement)>();
        foreach (var entry in _receiver.LogEntries.Where(e => e.RequestMessage.Path == "/hooks"))
        {
            var json = JsonDocument.Parse(entry.RequestMessage.Body!).RootElement.Clone();
            var data = json.GetProperty("data");
            if (data.TryGetProperty("queue_id", out var q) && q.GetString() == queueId)
            {
                found.Add((entry, data.GetProperty("status").GetString()!, json));
            }
        }

        return found;
    }

    [Fact]
    public async Task Bad_urls_unknown_event_types_unknown_fields_and_missing_keys_are_refused_with_their_codes()
    {
        AssertError(await CallAsync(HttpMethod.Post, "api/webhooks", new { url = "ftp://hooks.example.com/x" }), 400, "INVALID_WEBHOOK_URL");
        AssertError(await CallAsync(HttpMethod.Post, "api/webhooks", new { url = "https://user:pw@hooks.example.com/x" }), 400, "INVALID_WEBHOOK_URL");
        AssertError(await CallAsync(HttpMethod.Post, "api/webhooks", new { events = new[] { "*" } }), 400, "INVALID_WEBHOOK_URL");
        AssertError(await CallAsync(HttpMethod.Post, "api/webhooks", new { url = _receiver.Url + "/hooks", events = new[] { "message.sent" } }), 400, "INVALID_WEBHOOK_EVENT");
        AssertError(await CallAsync(HttpMethod.Post, "api/webhooks", new { url = _receiver.Url + "/hooks", events = "message.status,bogus" }), 400, "INVALID_WEBHOOK_EVENT");
        AssertError(await CallAsync(HttpMethod.Post, "api/webhooks", new { url = _receiver.Url + "/hooks", secret = "mine" }), 400, "WRONG_FIELD_NAME");
        AssertError(await CallAsync(HttpMethod.Post, "api/webhooks", new { url = _receiver.Url + "/hooks" }, apiKey: "SM-" + new string('x', 32)), 401, "INVALID_KEY");
        AssertError(await CallAsync(HttpMethod.Get, "api/webhooks/wh_missing"), 404, "WEBHOOK_NOT_FOUND");
    }

    [Fact]
    public async Task Without_the_local_flag_http_and_loopback_private_or_link_local_urls_are_refused()
    {
        await using var strict = await DevHostInstance.StartAsync(settings: new() { ["Webhooks:AllowLocalTargets"] = "false", ["Connector:Enabled"] = "false" });

        foreach (var url in new[] { "http://hooks.example.com/wa", "https://127.0.0.1/wa", "https://localhost:8443/wa", "https://169.254.169.254/latest/meta-data", "https://10.0.0.5/wa", "https://[::1]/wa" })
        {
            using var request = strict.Request(HttpMethod.Post, "api/webhooks", JsonContent.Create(new { url }));
            using var response = await strict.Client.SendAsync(request);
            AssertError(((int)response.StatusCode, await DevHostInstance.ReadAsync(response)), 400, "INVALID_WEBHOOK_URL");
        }
    }

    [Fact]
    public async Task A_local_run_without_a_configured_key_keeps_its_generated_key_across_restarts()
    {
        var prefix = Azurite.NewPrefix();
        var keyFile = Path.Combine(Path.GetTempPath(), prefix, "webhook-key.txt");
        var demoKeyFile = Path.Combine(Path.GetTempPath(), prefix, "demo-key.txt");
        var settings = new Dictionary<string, string?> { ["Webhooks:EncryptionKey"] = null, ["DevHost:WebhookKeyFile"] = keyFile, ["Connector:Enabled"] = "false" };
        string id;
        await using (var first = await DevHostInstance.StartAsync(prefix, settings, demoKeyFile))
        {
            using var create = first.Request(HttpMethod.Post, "api/webhooks", JsonContent.Create(new { url = _receiver.Url + "/hooks" }));
            using var created = await first.Client.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            id = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;
        }

        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(keyFile).Trim()).Length);
        await using var second = await DevHostInstance.StartAsync(prefix, settings, demoKeyFile);
        using var test = second.Request(HttpMethod.Post, $"api/webhooks/{id}/test");
        using var tested = await second.Client.SendAsync(test);

        // The secret stored by the first run still decrypts, so the ping goes out signed.
        Assert.True((await DevHostInstance.ReadAsync(tested)).GetProperty("data").GetProperty("delivered").GetBoolean());
    }

    [Fact]
    public async Task Another_accounts_endpoint_is_invisible_and_each_account_has_a_limit()
    {
        var key = await NewAccountKeyAsync();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (status, body) = await CallAsync(HttpMethod.Post, "api/webhooks", new { url = $"{_receiver.Url}/hooks?n={i}", events = "message.inbound" }, key);
            Assert.Equal(201, status);
            ids.Add(body.GetProperty("data").GetProperty("id").GetString()!);
        }

        AssertError(await CallAsync(HttpMethod.Post, "api/webhooks", new { url = _receiver.Url + "/hooks" }, key), 409, "WEBHOOK_LIMIT_REACHED");
        AssertError(await CallAsync(HttpMethod.Get, $"api/webhooks/{ids[0]}"), 404, "WEBHOOK_NOT_FOUND");
        AssertError(await CallAsync(HttpMethod.Delete, $"api/webhooks/{ids[0]}"), 404, "WEBHOOK_NOT_FOUND");
        AssertError(await CallAsync(HttpMethod.Post, $"api/webhooks/{ids[0]}/test"), 404, "WEBHOOK_NOT_FOUND");
        Assert.DoesNotContain(ids[0], (await CallAsync(HttpMethod.Get, "api/webhooks")).Body.GetRawText(), StringComparison.Ordinal);

        var (deleted, _) = await CallAsync(HttpMethod.Delete, $"api/webhooks/{ids[0]}", apiKey: key);
        Assert.Equal(200, deleted);
        Assert.Equal(201, (await CallAsync(HttpMethod.Post, "api/webhooks", new { url = _receiver.Url + "/hooks" }, key)).Status);
    }

    [Fact]
    public async Task Rotate_shows_a_new_secret_once_test_pings_and_patch_disables_and_enables()
    {
        var key = await NewAccountKeyAsync();
        var (_, created) = await CallAsync(HttpMethod.Post, "api/webhooks", new { url = _receiver.Url + "/hooks", description = "crm" }, key);
        var id = created.GetProperty("data").GetProperty("id").GetString()!;
        var first = created.GetProperty("data").GetProperty("secret").GetString()!;

        var (rotated, rotation) = await CallAsync(HttpMethod.Post, $"api/webhooks/{id}/rotate-secret", apiKey: key);
        Assert.Equal(200, rotated);
        var second = rotation.GetProperty("data").GetProperty("secret").GetString()!;
        Assert.NotEqual(first, second);
        Assert.True(rotation.GetProperty("data").TryGetProperty("previous_secret_expires_at", out _));

        var (tested, test) = await CallAsync(HttpMethod.Post, $"api/webhooks/{id}/test", apiKey: key);
        Assert.Equal(200, tested);
        Assert.True(test.GetProperty("data").GetProperty("delivered").GetBoolean());
        var ping = _receiver.LogEntries.Last(e => e.RequestMessage.Headers![WebhookSignature.EventTypeHeader].Single() == "ping");
        var header = ping.RequestMessage.Headers![WebhookSignature.SignatureHeader].Single();
        var raw = Encoding.UTF8.GetBytes(ping.RequestMessage.Body!);
        // Both secrets sign during the rotation's grace period.
        Assert.True(WebhookSignature.Verify(second, header, raw, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.True(WebhookSignature.Verify(first, header, raw, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));

        var (_, disabled) = await CallAsync(new HttpMethod("PATCH"), $"api/webhooks/{id}", new { enabled = false }, key);
        Assert.False(disabled.GetProperty("data").GetProperty("enabled").GetBoolean());
        Assert.Equal("by_owner", disabled.GetProperty("data").GetProperty("disabled_reason").GetString());
        var (_, enabled) = await CallAsync(new HttpMethod("PATCH"), $"api/webhooks/{id}", new { enabled = true, events = new[] { "session.state" } }, key);
        Assert.True(enabled.GetProperty("data").GetProperty("enabled").GetBoolean());
        Assert.Equal(["session.state"], enabled.GetProperty("data").GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("crm", enabled.GetProperty("data").GetProperty("description").GetString());
    }
}
