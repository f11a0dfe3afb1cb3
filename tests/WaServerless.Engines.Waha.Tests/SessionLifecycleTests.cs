using System.Text;
using System.Text.Json;
using WaServerless.Core.Engines;
using WaServerless.TestKit;

namespace WaServerless.Engines.Waha.Tests;

/// <summary>Our session's life in WAHA: create and start with a signed webhook, QR and pair code, WORKING, probe, stop, logout.</summary>
public sealed class SessionLifecycleTests
{
    [Fact]
    public async Task Connecting_creates_and_starts_the_waha_session_with_a_signed_webhook_for_only_the_events_it_needs()
    {
        await using var harness = new WahaHarness();

        await harness.Sessions.ConnectAsync(WahaHarness.SessionKey, null, CancellationToken.None);

        var create = Assert.Single(harness.Waha.Calls, c => c.Method == "POST" && c.Path == "/api/sessions");
        Assert.Equal(WahaHarness.SessionName, (string)create.Body["name"]!);
        Assert.True((bool)create.Body["start"]!);
        var config = create.Body["config"]!;
        Assert.Equal(WahaHarness.SessionKey, (string)config["metadata"]![WahaWebhook.MetadataSessionKey]!);
        var hook = Assert.Single(config["webhooks"]!.AsArray())!;
        Assert.Equal($"{harness.Receiver.Url}/webhooks/waha/{WahaHarness.SessionName}", (string)hook["url"]!);
        // "message" only: "message.any" would repeat every message (ours too), a known source of doubles.
        Assert.Equal(["session.status", "message", "message.ack", "message.ack.group"], hook["events"]!.AsArray().Select(e => (string)e!));
        Assert.Equal(WahaWebhookSignature.KeyFor(WahaStandIn.ApiKey, WahaHarness.SessionName), (string)hook["hmac"]!["key"]!);
        Assert.Equal("exponential", (string)hook["retries"]!["policy"]!);
    }

    [Fact]
    public async Task A_session_waiting_for_a_scan_reports_each_new_qr_code_and_connects_with_its_phone_once_scanned()
    {
        await using var harness = new WahaHarness();
        await harness.Sessions.ConnectAsync(WahaHarness.SessionKey, null, CancellationToken.None);

        var first = await harness.Sink.WaitForAsync<QrCodeIssued>();
        Assert.Equal($"2@stand-in-qr-{WahaHarness.SessionName}-1", first.Code);
        Assert.True(first.ExpiresAt > first.At);

        // WAHA rotates the QR: the new value is reported, the same one is not reported twice.
        await harness.Waha.SetStatusAsync(WahaHarness.SessionName, "SCAN_QR_CODE");
        await harness.Sink.WaitForAsync<QrCodeIssued>(q => q.Code.EndsWith("-2", StringComparison.Ordinal));
        await Task.Delay(300);
        Assert.Equal(2, harness.Sink.Events.OfType<QrCodeIssued>().Count());

        await harness.Waha.ScanAsync(WahaHarness.SessionName, "15550001111");
        var connected = await harness.Sink.WaitForAsync<SessionConnected>();
        Assert.Equal("+15550001111", connected.Phone);
        // Credentials stay in WAHA's files; ours is a marker that says the session was paired.
        using var marker = JsonDocument.Parse(connected.Credentials!);
        Assert.Equal("waha", marker.RootElement.GetProperty("engine").GetString());
        Assert.Equal(WahaHarness.SessionName, marker.RootElement.GetProperty("session").GetString());
    }

    [Fact]
    public async Task A_pair_code_is_requested_with_the_phones_digits_and_reported()
    {
        await using var harness = new WahaHarness();
        await harness.Sessions.ConnectAsync(WahaHarness.SessionKey, null, CancellationToken.None);
        await harness.Sink.WaitForAsync<QrCodeIssued>();

        await harness.Sessions.RequestPairCodeAsync(WahaHarness.SessionKey, "+1 (415) 555-0400", CancellationToken.None);

        var issued = await harness.Sink.WaitForAsync<PairCodeIssued>();
        Assert.Equal("ABCD-1234", issued.Code);
        Assert.Equal("+1 (415) 555-0400", issued.Phone);
        var call = Assert.Single(harness.Waha.Calls, c => c.Path == $"/api/{WahaHarness.SessionName}/auth/request-code");
        Assert.Equal("14155550400", (string)call.Body["phoneNumber"]!);
    }

    [Fact]
    public async Task The_liveness_probe_asks_for_the_sessions_own_profile_and_number_so_a_silent_working_session_fails_it()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        Assert.True(await harness.Sessions.ProbeAsync(WahaHarness.SessionKey, CancellationToken.None));
        Assert.Contains(harness.Waha.Calls, c => c.Path == "/api/contacts/check-exists" && c.Query.Contains("phone=15550001111", StringComparison.Ordinal));

        harness.Waha.GoSilent(WahaHarness.SessionName);
        Assert.Equal("WORKING", harness.Waha.Find(WahaHarness.SessionName)!.Status);
        Assert.False(await harness.Sessions.ProbeAsync(WahaHarness.SessionKey, CancellationToken.None));
    }

    [Fact]
    public async Task The_probe_fails_rather_than_throws_when_waha_is_down()
    {
        await using var harness = new WahaHarness(WahaHarness.NothingListening);

        Assert.False(await harness.Sessions.ProbeAsync(WahaHarness.SessionKey, CancellationToken.None));
    }

    [Fact]
    public async Task Connecting_when_waha_is_down_reports_a_disconnect_the_worker_retries_with_backoff()
    {
        await using var harness = new WahaHarness(WahaHarness.NothingListening);

        await harness.Sessions.ConnectAsync(WahaHarness.SessionKey, null, CancellationToken.None);

        var disconnected = await harness.Sink.WaitForAsync<SessionDisconnected>();
        Assert.Contains("WAHA unreachable", disconnected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disconnecting_stops_the_session_in_waha_and_keeps_it_and_connecting_again_starts_it_without_a_new_scan()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        await harness.Sessions.DisconnectAsync(WahaHarness.SessionKey, CancellationToken.None);
        var session = harness.Waha.Find(WahaHarness.SessionName)!;
        Assert.Equal("STOPPED", session.Status);
        Assert.Contains("stop", session.Actions);

        var before = harness.Sink.Events.OfType<SessionConnected>().Count();
        await harness.Sessions.ConnectAsync(WahaHarness.SessionKey, Encoding.UTF8.GetBytes("{}"), CancellationToken.None);
        Assert.Contains(harness.Waha.Calls, c => c.Method == "PUT" && c.Path == $"/api/sessions/{WahaHarness.SessionName}");
        Assert.Contains("start", session.Actions);
        await Eventually.MatchesAsync(() => Task.FromResult(harness.Sink.Events.OfType<SessionConnected>().Count()), n => n > before, TimeSpan.FromSeconds(15), "connected again");
        Assert.DoesNotContain(harness.Sink.Events.OfType<QrCodeIssued>(), q => q.Code.EndsWith("-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logging_out_logs_the_account_out_and_deletes_the_waha_session()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        await harness.Sessions.LogoutAsync(WahaHarness.SessionKey, CancellationToken.None);

        Assert.Contains(harness.Waha.Calls, c => c.Method == "POST" && c.Path == $"/api/sessions/{WahaHarness.SessionName}/logout");
        Assert.Contains(harness.Waha.Calls, c => c.Method == "DELETE" && c.Path == $"/api/sessions/{WahaHarness.SessionName}");
        Assert.Null(harness.Waha.Find(WahaHarness.SessionName));
    }

    [Fact]
    public async Task A_failed_waha_session_is_reported_as_a_disconnect()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();
        var name = WahaHarness.SessionName;

        var body = harness.Waha.Envelope(name, "session.status", new System.Text.Json.Nodes.JsonObject { ["status"] = "FAILED" });
        await harness.Sessions.OnWebhookAsync(WahaWebhook.Parse(Encoding.UTF8.GetBytes(body), DateTimeOffset.UtcNow), CancellationToken.None);

        var disconnected = await harness.Sink.WaitForAsync<SessionDisconnected>();
        Assert.Contains("FAILED", disconnected.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("acct1~default", "acct2~default")]
    [InlineData("acct1~sales", "acct1~support")]
    public void Session_names_are_derived_the_same_on_every_replica_and_differ_across_accounts_and_sessions(string one, string other)
    {
        Assert.Equal(WahaSessionNames.Of(one), WahaSessionNames.Of(one));
        Assert.NotEqual(WahaSessionNames.Of(one), WahaSessionNames.Of(other));
        Assert.True(WahaSessionNames.IsWellFormed(WahaSessionNames.Of(one)));
        Assert.Matches("^ws_[0-9a-f]{24}$", WahaSessionNames.Of(one));
    }

    [Theory]
    [InlineData("ws_../../etc")]
    [InlineData("WS_0123456789ABCDEF01234567")]
    [InlineData("")]
    [InlineData("default")]
    public void Webhook_paths_with_names_this_connector_never_gives_are_not_well_formed(string name) =>
        Assert.False(WahaSessionNames.IsWellFormed(name));
}
