using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WaServerless.Core.Sessions;
using WaServerless.Engines.Sandbox;
using WaServerless.TestKit;

namespace WaServerless.EndToEnd.Tests;

/// <summary>The session lifecycle through the Sandbox, driven and watched over HTTP.</summary>
public sealed class SessionsApiTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    private DevHostInstance Host => fixture.Host;

    private string AccountId => WaServerless.DevHost.DemoAccountSeeder.DemoAccountId;

    private async Task<(int Status, JsonElement Body)> CallAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = Host.Request(method, path, body is null ? null : JsonContent.Create(body));
        using var response = await Host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    private async Task<string> NewSessionAsync()
    {
        var (status, body) = await CallAsync(HttpMethod.Post, "api/sessions", new { name = "sales" });
        Assert.Equal(201, status);
        Assert.Equal("created", body.GetProperty("data").GetProperty("state").GetString());
        return body.GetProperty("data").GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task A_session_pairs_by_qr_scan_is_watched_over_sse_then_logs_out_and_is_deleted()
    {
        // Pairing in this test must wait for the scan, not complete by itself.
        await using var host = await DevHostInstance.StartAsync(settings: new() { ["Sandbox:AutoPairAfter"] = null, ["DevHost:WaitForDemoSession"] = "false" });
        using var request = host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "main" }));
        using var created = await host.Client.SendAsync(request);
        var sessionId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;

        using var sseRequest = host.Request(HttpMethod.Get, $"api/sessions/{sessionId}/events");
        using var sse = await host.Client.SendAsync(sseRequest, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", sse.Content.Headers.ContentType!.MediaType);
        var events = new SseReader(await sse.Content.ReadAsStreamAsync());

        var pairing = await host.WaitForSessionAsync(host.ApiKey, sessionId, "pairing");
        Assert.Equal("qr", (await events.NextAsync(e => e.Type == "qr")).Type);

        using var pngRequest = host.Request(HttpMethod.Get, $"api/sessions/{sessionId}/qr?format=png");
        using var png = await host.Client.SendAsync(pngRequest);
        Assert.Equal("image/png", png.Content.Headers.ContentType!.MediaType);
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, (await png.Content.ReadAsByteArrayAsync())[..4]);
        using var jsonRequest = host.Request(HttpMethod.Get, $"api/sessions/{sessionId}/qr");
        using var json = await host.Client.SendAsync(jsonRequest);
        Assert.StartsWith("sbx-qr@", (await DevHostInstance.ReadAsync(json)).GetProperty("data").GetProperty("code").GetString(), StringComparison.Ordinal);

        using var scan = await host.Client.PostAsync($"sandbox/sessions/{SessionKey.Of(AccountId, sessionId)}/scan", null);
        Assert.Equal(HttpStatusCode.NoContent, scan.StatusCode);
        var connected = await events.NextAsync(e => e.Type == "connected");
        Assert.Contains("+15550000000", connected.Data, StringComparison.Ordinal);
        Assert.Equal("+15550000000", (await host.WaitForSessionAsync(host.ApiKey, sessionId, "connected")).GetProperty("phone").GetString());
        Assert.Equal("pairing", pairing.GetProperty("state").GetString());

        using var logoutRequest = host.Request(HttpMethod.Post, $"api/sessions/{sessionId}/logout");
        using var logout = await host.Client.SendAsync(logoutRequest);
        Assert.Equal(HttpStatusCode.Accepted, logout.StatusCode);
        await events.NextAsync(e => e.Type == "logged_out");
        await host.WaitForSessionAsync(host.ApiKey, sessionId, "logged_out");

        using var deleteRequest = host.Request(HttpMethod.Delete, $"api/sessions/{sessionId}");
        using var delete = await host.Client.SendAsync(deleteRequest);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await Eventually.MatchesAsync(async () =>
        {
            using var r = host.Request(HttpMethod.Get, $"api/sessions/{sessionId}");
            using var response = await host.Client.SendAsync(r);
            return response.StatusCode;
        }, s => s == HttpStatusCode.NotFound, TimeSpan.FromSeconds(30), "the session to be deleted");
    }

    [Fact]
    public async Task A_pair_code_is_returned_and_pairing_completes_with_it()
    {
        await using var host = await DevHostInstance.StartAsync(settings: new() { ["Sandbox:AutoPairAfter"] = null, ["DevHost:WaitForDemoSession"] = "false" });
        using var createRequest = host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "by code" }));
        using var created = await host.Client.SendAsync(createRequest);
        var sessionId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;
        await host.WaitForSessionAsync(host.ApiKey, sessionId, "pairing");

        using var bad = await host.Client.SendAsync(host.Request(HttpMethod.Post, $"api/sessions/{sessionId}/pair-code", JsonContent.Create(new { phone = "12" })));
        using var good = await host.Client.SendAsync(host.Request(HttpMethod.Post, $"api/sessions/{sessionId}/pair-code", JsonContent.Create(new { phone = "+14155550400" })));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Matches("^[A-Z0-9]{8}$", (await DevHostInstance.ReadAsync(good)).GetProperty("data").GetProperty("code").GetString()!);
        Assert.True(host.Service<SandboxEngine>().Scan(SessionKey.Of(AccountId, sessionId), "+14155550400"));
        Assert.Equal("+14155550400", (await host.WaitForSessionAsync(host.ApiKey, sessionId, "connected")).GetProperty("phone").GetString());
    }

    [Fact]
    public async Task A_disconnected_session_refuses_sends_with_503_or_queues_them_when_asked_and_delivers_after_reconnecting()
    {
        var sandbox = Host.Service<SandboxEngine>();
        var key = SessionKey.Of(AccountId, "default");
        sandbox.RefuseConnects(key, 1000);
        await sandbox.DropAsync(key);
        await Host.WaitForSessionAsync(Host.ApiKey, "default", "disconnected");

        var (refused, refusedBody) = await Host.SendJsonAsync(new { recipient = "+14155550401", text = "now?" });
        var (queued, queuedBody) = await Host.SendJsonAsync(new { recipient = "+14155550401", text = "when you can", wait_for_session = true });

        Assert.Equal(503, refused);
        Assert.Equal("WHATSAPP_DISCONNECTED", refusedBody.GetProperty("error_code").GetString());
        Assert.Equal(202, queued);
        var queueId = queuedBody.GetProperty("data").GetProperty("queue_id").GetString()!;
        Assert.Equal("queued", (await Host.GetMessageAsync(queueId)).GetProperty("data").GetProperty("status").GetString());

        sandbox.RefuseConnects(key, 0);
        await Host.WaitForSessionAsync(Host.ApiKey, "default", "connected");
        var message = (await Host.WaitForStatusAsync(queueId, "read")).GetProperty("data");
        Assert.Equal(1, message.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_zombie_session_is_caught_by_the_liveness_probe_and_reconnected()
    {
        var sandbox = Host.Service<SandboxEngine>();
        var key = SessionKey.Of(AccountId, "default");
        var events = await Host.Service<WaServerless.Storage.Sessions.SessionStore>().ReadEventsAsync(AccountId, "default", "0", default);
        var before = events.Count;

        sandbox.SetZombie(key, true);

        var after = await Eventually.MatchesAsync(
            () => Host.Service<WaServerless.Storage.Sessions.SessionStore>().ReadEventsAsync(AccountId, "default", "0", default),
            list => list.Skip(before).Any(e => e.Type == "disconnected" && e.Data.Contains("liveness", StringComparison.Ordinal))
                && list.Skip(before).SkipWhile(e => e.Type != "disconnected").Any(e => e.Type == "connected"),
            TimeSpan.FromSeconds(30),
            "a disconnect for liveness and a reconnect");
        Assert.NotEmpty(after);
        await Host.WaitForSessionAsync(Host.ApiKey, "default", "connected");
        Assert.True(await sandbox.ProbeAsync(key, default));
    }

    [Fact]
    public async Task Unknown_sessions_are_404_and_a_connected_session_shows_no_qr()
    {
        var (missing, missingBody) = await CallAsync(HttpMethod.Get, "api/sessions/ses_nope");
        var (qr, qrBody) = await CallAsync(HttpMethod.Get, "api/sessions/default/qr");
        var (sendOnMissing, sendBody) = await Host.SendJsonAsync(new { recipient = "+14155550402", text = "x", session = "ses_nope" });

        Assert.Equal(404, missing);
        Assert.Equal("SESSION_NOT_FOUND", missingBody.GetProperty("error_code").GetString());
        Assert.Equal(409, qr);
        Assert.Equal("SESSION_NOT_PAIRING", qrBody.GetProperty("error_code").GetString());
        Assert.Equal(404, sendOnMissing);
        Assert.Equal("SESSION_NOT_FOUND", sendBody.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task A_new_session_auto_pairs_in_the_sandbox_and_can_send()
    {
        var sessionId = await NewSessionAsync();
        await Host.WaitForSessionAsync(Host.ApiKey, sessionId, "connected");

        var (status, body) = await Host.SendJsonAsync(new { recipient = "+14155550403", text = "from sales", session = sessionId });

        Assert.Equal(202, status);
        await Host.WaitForStatusAsync(body.GetProperty("data").GetProperty("queue_id").GetString()!, "read");
        Assert.Contains(Host.Service<SandboxEngine>().Sent, s => s.Request.SessionKey == SessionKey.Of(AccountId, sessionId));
    }
}

/// <summary>Reads Server-Sent Events frames from a stream.</summary>
public sealed class SseReader(Stream stream)
{
    private readonly StreamReader _reader = new(stream);

    public async Task<(string Type, string Data)> NextAsync(Func<(string Type, string Data), bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        string type = "message", data = string.Empty;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cts.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data += line[6..];
            }
            else if (line.Length == 0)
            {
                if (match((type, data)))
                {
                    return (type, data);
                }

                (type, data) = ("message", string.Empty);
            }
        }
    }
}

/// <summary>Liveness and readiness on the devhost, mapped by the same code as on the connector.</summary>
public sealed class HealthEndpointsTests
{
    [Fact]
    public async Task Liveness_answers_at_once_and_readiness_once_storage_queues_and_the_session_scans_are_up()
    {
        await using var host = await DevHostInstance.StartAsync();

        using var live = await host.Client.GetAsync("healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync());

        var ready = await WaServerless.TestKit.Eventually.MatchesAsync(
            async () =>
            {
                using var response = await host.Client.GetAsync("readyz");
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
            },
            r => r.Item1 == 200,
            TimeSpan.FromSeconds(30),
            "readiness");
        Assert.Equal("Healthy", ready.Item2);
    }
}
