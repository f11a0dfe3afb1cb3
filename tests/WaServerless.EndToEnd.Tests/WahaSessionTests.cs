using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WaServerless.Core.Sessions;
using WaServerless.DevHost;
using WaServerless.Engines.Waha;
using WaServerless.Engines.Waha.Tests;
using WaServerless.TestKit;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// A QR-linked WhatsApp account through WAHA, end to end on the devhost: the WAHA stand-in plays the
/// sidecar (and the phone), posting signed webhooks to the devhost's connector endpoint as WAHA does.
/// </summary>
public sealed class WahaSessionTests : IAsyncLifetime
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 74, 70, 73, 70];
    private WahaStandIn _waha = null!;
    private WireMockServer _media = null!;
    private DevHostInstance _host = null!;
    private string _prefix = null!;

    public async Task InitializeAsync()
    {
        _waha = new WahaStandIn(LoopbackPorts.Free());
        _media = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPorts.Free()}"] });
        _media.Given(Request.Create().WithPath("/photo.jpg").UsingGet()).RespondWith(Response.Create().WithHeader("Content-Type", "image/jpeg").WithBody(Jpeg));
        _media.Given(Request.Create().WithPath("/invoice.pdf").UsingGet()).RespondWith(Response.Create().WithHeader("Content-Type", "application/pdf").WithBody("%PDF-1.7 test"u8.ToArray()));
        _media.Given(Request.Create().WithPath("/clip.mp4").UsingGet()).RespondWith(Response.Create().WithHeader("Content-Type", "video/mp4").WithBody(new byte[] { 0, 0, 0, 24, 102, 116, 121, 112 }));
        _media.Given(Request.Create().WithPath("/note.ogg").UsingGet()).RespondWith(Response.Create().WithHeader("Content-Type", "audio/ogg; codecs=opus").WithBody("OggS test"u8.ToArray()));
        _media.Given(Request.Create().WithPath("/page.html").UsingGet()).RespondWith(Response.Create().WithHeader("Content-Type", "text/html").WithBody("<html></html>"));
        _prefix = Azurite.NewPrefix();
        _host = await StartHostAsync(_waha);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _waha.Dispose();
        _media.Dispose();
    }

    private Task<DevHostInstance> StartHostAsync(WahaStandIn waha, string? replica = null)
    {
        var port = LoopbackPorts.Free();
        return DevHostInstance.StartAsync(_prefix, new()
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Sessions:AllowedEngines"] = "sandbox,waha",
            ["Waha:BaseUrl"] = waha.Url.AbsoluteUri,
            ["Waha:ApiKey"] = WahaStandIn.ApiKey,
            ["Waha:WebhookBaseUrl"] = $"http://127.0.0.1:{port}/",
            ["Waha:StatusPollInterval"] = "00:00:00.200",
            // The media server is on loopback: allowed for this local test only (refused with real storage).
            ["Media:AllowPrivateHosts"] = "true",
            ["Connector:ReplicaId"] = replica,
        });
    }

    private async Task<(string Id, string Name)> CreatePairedSessionAsync(string label)
    {
        using var created = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = label, engine = "waha" })));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;
        var name = WahaSessionNames.Of(SessionKey.Of(DemoAccountSeeder.DemoAccountId, id));

        await _host.WaitForSessionAsync(_host.ApiKey, id, "pairing");
        var qr = await Eventually.MatchesAsync(
            async () =>
            {
                using var response = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, $"api/sessions/{id}/qr"));
                return response.IsSuccessStatusCode ? (await DevHostInstance.ReadAsync(response)).GetProperty("data") : default;
            },
            d => d.ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(30),
            "the QR code");
        Assert.StartsWith($"2@stand-in-qr-{name}-", qr.GetProperty("code").GetString(), StringComparison.Ordinal);
        using var png = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, $"api/sessions/{id}/qr?format=png"));
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);

        await _waha.ScanAsync(name, "15550001111");
        var connected = await _host.WaitForSessionAsync(_host.ApiKey, id, "connected");
        Assert.Equal("+15550001111", connected.GetProperty("phone").GetString());
        return (id, name);
    }

    [Fact]
    public async Task A_waha_session_pairs_by_qr_sends_each_type_and_acks_and_inbound_messages_come_back_once()
    {
        var (id, name) = await CreatePairedSessionAsync("shop phone");
        using var receiver = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPorts.Free()}"] });
        receiver.Given(Request.Create().WithPath("/hooks").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        using var hook = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/webhooks", JsonContent.Create(new { url = receiver.Url + "/hooks", events = new[] { "message.inbound" } })));
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);

        var sends = new (object Body, string Path)[]
        {
            (new { recipient = "+14155550601", text = "Hello from WAHA", session = id }, "/api/sendText"),
            (new { recipient = "+14155550602", file = _media.Url + "/photo.jpg", text = "A photo", session = id }, "/api/sendImage"),
            (new { recipient = "+14155550603", latitude = 38.8976, longitude = -77.0366, session = id }, "/api/sendLocation"),
            (new { recipient = "+14155550604", text = "Coming?", button1 = "Yes", button2 = "No", session = id }, "/api/sendText"),
            (new { recipient = "+14155550605", document = _media.Url + "/invoice.pdf", filename = "invoice-42.pdf", session = id }, "/api/sendFile"),
            (new { recipient = "+14155550606", video = _media.Url + "/clip.mp4", session = id }, "/api/sendVideo"),
            (new { recipient = "+14155550607", audio = _media.Url + "/note.ogg", ptt = true, session = id }, "/api/sendVoice"),
            (new { recipient = "+14155550608", contact_name = "Ada Lovelace", contact_phone = "+442071838750", session = id }, "/api/sendContactVcard"),
            (new { recipient = "+14155550609", text = "Today's menu", list_title = "Menu", list_button = "Choose", list_sections = new[] { new { title = "Mains", rows = new[] { new { rowId = "soup", title = "Soup" } } } }, session = id }, "/api/sendList"),
            (new { recipient = "+14155550610", poll_question = "Which day?", poll_options = new[] { "Monday", "Tuesday" }, session = id }, "/api/sendPoll"),
        };
        var queueIds = new List<string>();
        foreach (var (body, _) in sends)
        {
            var (status, answer) = await _host.SendJsonAsync(body);
            Assert.True(status == 202, answer.ToString());
            queueIds.Add(answer.GetProperty("data").GetProperty("queue_id").GetString()!);
        }

        foreach (var queueId in queueIds)
        {
            await _host.WaitForStatusAsync(queueId, "sent");
        }

        var made = _waha.Sends;
        foreach (var (body, path) in sends)
        {
            var recipient = (string)body.GetType().GetProperty("recipient")!.GetValue(body)!;
            Assert.Contains(made, c => c.Path == path && (string)c.Body["chatId"]! == recipient[1..] + "@c.us");
        }

        var image = Assert.Single(made, c => c.Path == "/api/sendImage");
        Assert.Equal(Convert.ToBase64String(Jpeg), (string)image.Body["file"]!["data"]!);
        Assert.Equal("invoice-42.pdf", (string)Assert.Single(made, c => c.Path == "/api/sendFile").Body["file"]!["filename"]!);
        Assert.Equal("audio/ogg", (string)Assert.Single(made, c => c.Path == "/api/sendVoice").Body["file"]!["mimetype"]!);
        Assert.Contains("1. Yes\n2. No", (string)Assert.Single(made, c => (string)c.Body["chatId"]! == "14155550604@c.us").Body["text"]!, StringComparison.Ordinal);

        // WAHA's acks move the message forward: DEVICE is delivered, READ is read.
        var text = Assert.Single(made, c => c.Path == "/api/sendText" && (string)c.Body["chatId"]! == "14155550601@c.us");
        await _waha.AckAsync(name, text, 2, "DEVICE");
        await _host.WaitForStatusAsync(queueIds[0], "delivered");
        await _waha.AckAsync(name, text, 3, "READ");
        await _host.WaitForStatusAsync(queueIds[0], "read");

        // The same message delivered twice, under its @c.us and its @lid chat: stored once.
        await _waha.InboundAsync(name, "3EB0INBOUND0001", "14155550601@c.us", "Thanks!");
        await _waha.InboundAsync(name, "3EB0INBOUND0001", "105820104785985@lid", "Thanks!");
        var inbound = await Eventually.MatchesAsync(
            async () =>
            {
                using var response = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, $"api/inbound?session={id}"));
                return (await DevHostInstance.ReadAsync(response)).GetProperty("data").GetProperty("messages").EnumerateArray().ToList();
            },
            l => l.Count > 0,
            TimeSpan.FromSeconds(30),
            "the inbound message");
        await Task.Delay(500);
        using var again = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, $"api/inbound?session={id}"));
        var message = Assert.Single((await DevHostInstance.ReadAsync(again)).GetProperty("data").GetProperty("messages").EnumerateArray());
        Assert.Equal("+14155550601", message.GetProperty("from").GetString());
        Assert.Equal("Thanks!", message.GetProperty("text").GetString());
        Assert.Equal("Ada", message.GetProperty("from_name").GetString());
        Assert.Equal("3EB0INBOUND0001", message.GetProperty("engine_message_id").GetString());
        Assert.Single(inbound);

        // ... and reaches the account's webhook once.
        await Eventually.MatchesAsync(() => Task.FromResult(receiver.LogEntries.Count), n => n > 0, TimeSpan.FromSeconds(30), "the inbound webhook");
        await Task.Delay(1000);
        var delivered = Assert.Single(receiver.LogEntries);
        Assert.Contains("3EB0INBOUND0001", delivered.RequestMessage.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Media_the_connector_may_not_carry_fail_the_message_with_the_reason_and_templates_are_refused_up_front()
    {
        var (id, _) = await CreatePairedSessionAsync("strict phone");

        var (status, answer) = await _host.SendJsonAsync(new { recipient = "+14155550611", file = _media.Url + "/page.html", session = id });
        Assert.Equal(202, status);
        var failed = await _host.WaitForStatusAsync(answer.GetProperty("data").GetProperty("queue_id").GetString()!, "failed");
        Assert.Contains("text/html", failed.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(_waha.Sends, c => (string)c.Body["chatId"]! == "14155550611@c.us");

        var (templateStatus, templateAnswer) = await _host.SendJsonAsync(new { recipient = "+14155550612", template_name = "order_update", template_language = "en_US", session = id });
        Assert.Equal(422, templateStatus);
        Assert.Equal("MESSAGE_TYPE_NOT_SUPPORTED", templateAnswer.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task A_campaign_an_engine_cannot_carry_is_refused_up_front_too()
    {
        var bulk = new BulkApi(_host);
        var (_, key) = await bulk.NewAccountAsync("growth");
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/sessions") { Content = JsonContent.Create(new { name = "campaign phone", engine = "waha" }) };
        create.Headers.Add("X-API-Key", key);
        using var created = await _host.Client.SendAsync(create);
        var sessionId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;

        var (status, body, _) = await bulk.CreateAsync(key, new { session = sessionId, template_name = "order_update", template_language = "en_US", recipients = new[] { "+14155550641", "+14155550642" } });

        Assert.Equal(422, status);
        Assert.Equal("MESSAGE_TYPE_NOT_SUPPORTED", body.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task A_forged_or_missing_signature_is_refused_and_nothing_is_recorded()
    {
        var (id, name) = await CreatePairedSessionAsync("guarded phone");
        var body = _waha.Envelope(name, "message", new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = "false_14155550621@c.us_3EB0FORGED",
            ["from"] = "14155550621@c.us",
            ["fromMe"] = false,
            ["body"] = "forged",
        });

        using var forged = await _waha.PostRawAsync(name, body, new string('0', 128));
        using var missing = await _waha.PostRawAsync(name, body, "");
        using var otherSession = await _waha.PostRawAsync(name, body.Replace(name, WahaSessionNames.Of("someone~else"), StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherSession.StatusCode);
        using var listed = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, $"api/inbound?session={id}"));
        Assert.Empty((await DevHostInstance.ReadAsync(listed)).GetProperty("data").GetProperty("messages").EnumerateArray());
    }

    [Fact]
    public async Task A_session_that_stays_working_but_goes_silent_is_restarted_in_waha_and_comes_back()
    {
        var (id, name) = await CreatePairedSessionAsync("zombie phone");
        var session = _waha.Find(name)!;
        var starts = session.Actions.Count(a => a is "start" or "restart");

        _waha.GoSilent(name);

        // The probe (profile and own-number check) fails, the connector stops the session and starts it again.
        await Eventually.MatchesAsync(() => Task.FromResult(session.Actions.ToList()), a => a.Contains("stop") && a.Count(x => x is "start" or "restart") > starts, TimeSpan.FromSeconds(30), "a restart in WAHA");
        await _host.WaitForSessionAsync(_host.ApiKey, id, "connected");
        Assert.False(session.Silent);
    }

    [Fact]
    public async Task A_lease_moved_to_another_connector_starts_the_session_in_its_waha_without_a_scan_and_stops_it_in_the_first()
    {
        var (id, name) = await CreatePairedSessionAsync("moving phone");
        // The second replica's sidecar shares the session folder (the Azure Files share in Azure).
        using var secondWaha = new WahaStandIn(LoopbackPorts.Free(), _waha.SessionFiles);
        var second = await StartHostAsync(secondWaha, "replica-two");

        await _host.DisposeAsync(); // graceful: the first replica stops its sessions and releases their leases
        _host = second; // disposed by DisposeAsync

        Assert.Equal("STOPPED", _waha.Find(name)!.Status);
        await Eventually.MatchesAsync(() => Task.FromResult(secondWaha.Find(name)?.Status), s => s == "WORKING", TimeSpan.FromSeconds(60), "the session working in the second WAHA");
        await second.WaitForSessionAsync(second.ApiKey, id, "connected");
        var (status, answer) = await second.SendJsonAsync(new { recipient = "+14155550631", text = "from the second replica", session = id });
        Assert.Equal(202, status);
        await second.WaitForStatusAsync(answer.GetProperty("data").GetProperty("queue_id").GetString()!, "sent");
        Assert.Single(secondWaha.Sends);
        Assert.Empty(_waha.Sends);
    }
}
