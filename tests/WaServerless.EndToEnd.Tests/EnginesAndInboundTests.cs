using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Sessions;
using WaServerless.DevHost;
using WaServerless.Engines.Sandbox;
using WaServerless.TestKit;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace WaServerless.EndToEnd.Tests;

/// <summary>Inbound messages from the Sandbox, stored once and listed by the API; the engine chosen when a session is created.</summary>
public sealed class InboundApiTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    private DevHostInstance Host => fixture.Host;

    private static string DefaultSessionKey => SessionKey.Of(DemoAccountSeeder.DemoAccountId, "default");

    private async Task<HttpStatusCode> InjectAsync(string from, string text, string? engineMessageId = null)
    {
        using var response = await Host.Client.PostAsJsonAsync($"sandbox/sessions/{DefaultSessionKey}/inbound", new { from, type = "text", text, engineMessageId, profileName = "Ada" });
        return response.StatusCode;
    }

    private async Task<JsonElement> ListAsync(string query)
    {
        using var response = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/inbound" + query));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await DevHostInstance.ReadAsync(response)).GetProperty("data");
    }

    [Fact]
    public async Task A_message_sent_to_a_sandbox_session_is_stored_once_and_listed_newest_first_in_pages()
    {
        var from = "+14155550811";
        Assert.Equal(HttpStatusCode.Accepted, await InjectAsync(from, "first"));
        Assert.Equal(HttpStatusCode.Accepted, await InjectAsync(from, "second", "sbx.in.repeat-1"));
        // WhatsApp (or Meta's webhook retry) reporting the same message again stores nothing new.
        Assert.Equal(HttpStatusCode.Accepted, await InjectAsync(from, "second", "sbx.in.repeat-1"));
        Assert.Equal(HttpStatusCode.Accepted, await InjectAsync(from, "third"));

        var mine = await Eventually.MatchesAsync(
            async () => (await ListAsync("?session=default&limit=500")).GetProperty("messages").EnumerateArray().Where(m => m.GetProperty("from").GetString() == from).ToList(),
            l => l.Count >= 3,
            TimeSpan.FromSeconds(30),
            "three inbound messages");
        Assert.Equal(["third", "second", "first"], mine.Select(m => m.GetProperty("text").GetString()));
        Assert.All(mine, m => Assert.Equal("default", m.GetProperty("session").GetString()));
        Assert.Equal("Ada", mine[0].GetProperty("from_name").GetString());

        var firstPage = await ListAsync("?limit=1");
        var cursor = firstPage.GetProperty("next_before").GetString();
        Assert.NotNull(cursor);
        var secondPage = await ListAsync("?limit=1&before=" + cursor);
        Assert.NotEqual(cursor, secondPage.GetProperty("messages")[0].GetProperty("id").GetString());

        var id = mine[1].GetProperty("id").GetString();
        using var one = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/inbound/" + id));
        Assert.Equal("sbx.in.repeat-1", (await DevHostInstance.ReadAsync(one)).GetProperty("data").GetProperty("engine_message_id").GetString());
    }

    [Fact]
    public async Task Another_accounts_inbound_message_and_bad_cursors_are_refused()
    {
        using var unknown = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/inbound/in_0000000000000000000abcdef"));
        using var badLimit = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/inbound?limit=0"));
        using var badCursor = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/inbound?before=nope"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("MESSAGE_NOT_FOUND", (await DevHostInstance.ReadAsync(unknown)).GetProperty("error_code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
    }

    [Fact]
    public async Task A_disconnected_sandbox_session_receives_nothing()
    {
        using var response = await Host.Client.PostAsJsonAsync($"sandbox/sessions/{SessionKey.Of(DemoAccountSeeder.DemoAccountId, "no-such")}/inbound", new { from = "+14155550812", text = "hello" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_logged_out_session_comes_back_when_its_owner_asks_and_pairs_again()
    {
        using var created = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "comes back" })));
        var id = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;
        await Host.WaitForSessionAsync(Host.ApiKey, id, "connected");
        using var logout = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, $"api/sessions/{id}/logout"));
        await Host.WaitForSessionAsync(Host.ApiKey, id, "logged_out");

        using var reconnect = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, $"api/sessions/{id}/reconnect"));
        using var unknown = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/sessions/nope/reconnect"));

        Assert.Equal(HttpStatusCode.Accepted, reconnect.StatusCode);
        Assert.Equal("reconnect", (await DevHostInstance.ReadAsync(reconnect)).GetProperty("data").GetProperty("requested").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await Host.WaitForSessionAsync(Host.ApiKey, id, "connected");
    }

    [Theory]
    [InlineData("whatsapp-web")]
    [InlineData("cloudapi")] // a real engine, but this devhost allows only the Sandbox
    public async Task A_session_on_an_engine_this_deployment_does_not_allow_is_refused(string engine)
    {
        using var response = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "x", engine })));
        var body = await DevHostInstance.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_ENGINE", body.GetProperty("error_code").GetString());
        Assert.Contains("sandbox", body.GetProperty("hint").GetString(), StringComparison.Ordinal);
    }
}

/// <summary>
/// One devhost with two engines: the demo session on the Sandbox and a new one on the Cloud API
/// (WireMock standing in for graph.facebook.com). Each send goes through its own session's engine,
/// and Meta's signed webhook brings receipts and inbound messages back.
/// </summary>
public sealed class CloudApiSessionTests : IAsyncLifetime
{
    private const string PhoneNumberId = "106540352242922";
    private const string AppSecret = "e2e-app-secret";
    private WireMockServer _graph = null!;
    private DevHostInstance _host = null!;

    public async Task InitializeAsync()
    {
        _graph = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPorts.Free()}"] });
        _graph.Given(Request.Create().WithPath($"/v23.0/{PhoneNumberId}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"health_status":{"can_send_message":"AVAILABLE"},"quality_rating":"GREEN","id":"106540352242922"}"""));
        _graph.Given(Request.Create().WithPath($"/v23.0/{PhoneNumberId}/messages").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"messaging_product":"whatsapp","contacts":[{"input":"+14155550821","wa_id":"14155550821"}],"messages":[{"id":"wamid.E2E-CLOUD-1"}]}"""));
        _host = await DevHostInstance.StartAsync(settings: new()
        {
            ["Sessions:AllowedEngines"] = "sandbox,cloudapi",
            ["CloudApi:BaseUrl"] = _graph.Url,
            ["CloudApi:PhoneNumberId"] = PhoneNumberId,
            ["CloudApi:AccessToken"] = "EAA-e2e-token",
            ["CloudApi:AppSecret"] = AppSecret,
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _graph.Dispose();
    }

    [Fact]
    public async Task Each_session_sends_through_its_own_engine_and_the_cloud_api_webhook_brings_receipts_and_inbound_messages()
    {
        using var created = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "business number", engine = "cloud_api" })));
        var session = (await DevHostInstance.ReadAsync(created)).GetProperty("data");
        Assert.Equal("cloudapi", session.GetProperty("engine").GetString());
        var sessionId = session.GetProperty("id").GetString()!;
        await _host.WaitForSessionAsync(_host.ApiKey, sessionId, "connected");

        // The deployment's one business number belongs to that session; a second one may not speak as it.
        using var second = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "same number", engine = "cloudapi" })));
        var secondId = (await DevHostInstance.ReadAsync(second)).GetProperty("data").GetProperty("id").GetString()!;
        var refused = await _host.WaitForSessionAsync(_host.ApiKey, secondId, "failed");
        Assert.Contains("bound to another session", refused.GetProperty("last_error").GetString(), StringComparison.Ordinal);

        var (cloudStatus, cloudBody) = await _host.SendJsonAsync(new { recipient = "+14155550821", text = "via Meta", session = sessionId });
        var (sandboxStatus, sandboxBody) = await _host.SendJsonAsync(new { recipient = "+14155550822", text = "via the sandbox" });
        Assert.Equal(202, cloudStatus);
        Assert.Equal(202, sandboxStatus);
        var cloudId = cloudBody.GetProperty("data").GetProperty("queue_id").GetString()!;
        var sandboxId = sandboxBody.GetProperty("data").GetProperty("queue_id").GetString()!;

        await _host.WaitForStatusAsync(cloudId, "sent");
        await _host.WaitForStatusAsync(sandboxId, "read");
        var toMeta = Assert.Single(_graph.LogEntries, e => e.RequestMessage.Method == "POST");
        Assert.Contains("via Meta", toMeta.RequestMessage.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(_host.Service<SandboxEngine>().Sent, s => s.Request.MessageId == cloudId);
        Assert.Contains(_host.Service<SandboxEngine>().Sent, s => s.Request.MessageId == sandboxId);

        using var forged = await PostWebhookAsync(Status("wamid.E2E-CLOUD-1", "read"), "sha256=" + new string('0', 64));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        using var delivered = await PostWebhookAsync(Status("wamid.E2E-CLOUD-1", "delivered"));
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        await _host.WaitForStatusAsync(cloudId, "delivered");

        using var inbound = await PostWebhookAsync(Inbound("wamid.E2E-IN-1", "14155550821", "Thanks, got it"));
        using var again = await PostWebhookAsync(Inbound("wamid.E2E-IN-1", "14155550821", "Thanks, got it"));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var listed = await InboundOfAsync(sessionId, "the inbound message");
        var message = Assert.Single(listed);
        Assert.Equal("+14155550821", message.GetProperty("from").GetString());
        Assert.Equal("Thanks, got it", message.GetProperty("text").GetString());
        Assert.Equal("Jo", message.GetProperty("from_name").GetString());
    }

    [Fact]
    public async Task A_pair_code_for_a_cloud_api_session_is_refused_up_front_as_its_engine_cannot_pair()
    {
        using var created = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "registered at meta", engine = "cloudapi" })));
        var sessionId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;

        using var refused = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, $"api/sessions/{sessionId}/pair-code", JsonContent.Create(new { phone = "+14155550400" })));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var body = await DevHostInstance.ReadAsync(refused);
        Assert.Equal("PAIRING_NOT_SUPPORTED", body.GetProperty("error_code").GetString());
        Assert.Contains("cloudapi", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_with_its_own_number_sends_as_it_receives_for_it_and_no_other_session_may_take_it()
    {
        const string OwnNumber = "106540352242999";
        _graph.Given(Request.Create().WithPath($"/v23.0/{OwnNumber}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"health_status":{"can_send_message":"AVAILABLE"},"id":"106540352242999"}"""));
        _graph.Given(Request.Create().WithPath($"/v23.0/{OwnNumber}/messages").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"messaging_product":"whatsapp","messages":[{"id":"wamid.E2E-OWN-1"}]}"""));

        using var created = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "own number", engine = "cloudapi", phone_number_id = OwnNumber })));
        var session = (await DevHostInstance.ReadAsync(created)).GetProperty("data");
        Assert.Equal(OwnNumber, session.GetProperty("phone_number_id").GetString());
        var sessionId = session.GetProperty("id").GetString()!;
        await _host.WaitForSessionAsync(_host.ApiKey, sessionId, "connected");

        using var taken = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "thief", engine = "cloudapi", phone_number_id = OwnNumber })));
        using var onSandbox = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "x", engine = "sandbox", phone_number_id = OwnNumber })));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("PHONE_NUMBER_IN_USE", (await DevHostInstance.ReadAsync(taken)).GetProperty("error_code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, onSandbox.StatusCode);

        var (status, body) = await _host.SendJsonAsync(new { recipient = "+14155550823", text = "from our own number", session = sessionId });
        Assert.Equal(202, status);
        await _host.WaitForStatusAsync(body.GetProperty("data").GetProperty("queue_id").GetString()!, "sent");
        Assert.Single(_graph.LogEntries, e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path == $"/v23.0/{OwnNumber}/messages");

        var inbound = Inbound("wamid.E2E-OWN-IN", "14155550823", "to our own number").Replace(PhoneNumberId, OwnNumber, StringComparison.Ordinal);
        using var delivered = await PostWebhookAsync(inbound);
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        var listed = await InboundOfAsync(sessionId, "the inbound message on the session's own number");
        Assert.Equal("to our own number", Assert.Single(listed).GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_call_button_on_a_cloud_api_session_is_refused_up_front_and_a_url_button_is_accepted()
    {
        using var created = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "cta buttons", engine = "cloudapi" })));
        var sessionId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;

        var (status, body) = await _host.SendJsonAsync(new { recipient = "+14155550825", text = "Questions?", call_button_text = "Call us", call_button_phone = "+14155550100", session = sessionId, wait_for_session = true });

        Assert.Equal(422, status);
        Assert.Equal("MESSAGE_TYPE_NOT_SUPPORTED", body.GetProperty("error_code").GetString());
        Assert.Contains("calls a phone number", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        var (urlStatus, urlBody) = await _host.SendJsonAsync(new { recipient = "+14155550825", text = "Your order has shipped", url_button_text = "Track", url_button_url = "https://example.com/t/1", session = sessionId, wait_for_session = true });
        Assert.True(urlStatus == 202, urlBody.ToString());
        Assert.Equal("call_to_action", urlBody.GetProperty("data").GetProperty("message_type").GetString());
    }

    [Fact]
    public async Task A_carousel_on_a_cloud_api_session_is_refused_up_front_outside_metas_rules_and_sent_as_metas_carousel_within_them()
    {
        using var created = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "carousels", engine = "cloudapi" })));
        var sessionId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;
        object Card(string title, object button) => new { title, body = "Pick me", image = $"https://example.com/{title}.jpg", buttons = new[] { button } };

        // The session says what its engine carries before anything is sent.
        using var shown = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, "api/sessions/" + sessionId));
        var capabilities = (await DevHostInstance.ReadAsync(shown)).GetProperty("data").GetProperty("capabilities");
        Assert.Equal("meta_interactive", capabilities.GetProperty("carousels").GetString());
        Assert.Empty(capabilities.GetProperty("pairing").EnumerateArray());
        Assert.False(capabilities.GetProperty("groups").GetBoolean());
        var types = capabilities.GetProperty("message_types").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Contains("carousel", types);
        Assert.Contains("album", types);
        Assert.DoesNotContain("poll", types);

        // SmartWats' copy and call buttons have no place on Meta's carousel cards.
        var (status, body) = await _host.SendJsonAsync(new
        {
            recipient = "+14155550826",
            text = "Offers",
            cards = new[] { Card("a", new { copyButton = new { displayText = "Copy", copyCode = "SAVE50" } }), Card("b", new { callButton = new { displayText = "Call", phoneNumber = "+966534874887" } }) },
            session = sessionId,
            wait_for_session = true,
        });
        Assert.Equal(422, status);
        Assert.Equal("MESSAGE_TYPE_NOT_SUPPORTED", body.GetProperty("error_code").GetString());
        Assert.Contains("copy or call", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        var (okStatus, okBody) = await _host.SendJsonAsync(new
        {
            recipient = "+14155550826",
            text = "Our picks",
            cards = new[] { Card("sofa", new { urlButton = new { displayText = "Buy", url = "https://shop.example.com/sofa" } }), Card("lamp", new { urlButton = new { displayText = "Buy", url = "https://shop.example.com/lamp" } }) },
            session = sessionId,
            wait_for_session = true,
        });
        Assert.True(okStatus == 202, okBody.ToString());
        var message = (await _host.WaitForStatusAsync(okBody.GetProperty("data").GetProperty("queue_id").GetString()!, "sent")).GetProperty("data");
        Assert.StartsWith("wamid.", message.GetProperty("engine_message_id").GetString(), StringComparison.Ordinal);
        var posted = _graph.LogEntries.Single(e => e.RequestMessage.Body?.Contains("\"carousel\"", StringComparison.Ordinal) == true);
        var interactive = JsonDocument.Parse(posted.RequestMessage.Body!).RootElement.GetProperty("interactive");
        Assert.Equal(2, interactive.GetProperty("action").GetProperty("cards").GetArrayLength());
    }

    [Fact]
    public async Task Groups_and_number_checks_on_a_cloud_api_session_are_refused_as_meta_has_neither()
    {
        using var created = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "no lookups", engine = "cloudapi" })));
        var sessionId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;

        using var groups = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, "api/groups?session=" + sessionId));
        using var check = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/contacts/check", JsonContent.Create(new { phones = new[] { "+14155550827" }, session = sessionId })));

        foreach (var response in new[] { groups, check })
        {
            var body = await DevHostInstance.ReadAsync(response);
            Assert.Equal(422, (int)response.StatusCode);
            Assert.Equal("FEATURE_NOT_SUPPORTED", body.GetProperty("error_code").GetString());
            Assert.Contains("cloudapi", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_poll_on_a_cloud_api_session_is_refused_up_front_as_meta_has_no_polls()
    {
        using var created = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/sessions", JsonContent.Create(new { name = "no polls", engine = "cloudapi" })));
        var sessionId = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("id").GetString()!;

        var (status, body) = await _host.SendJsonAsync(new { recipient = "+14155550824", poll_question = "Which?", poll_options = new[] { "a", "b" }, session = sessionId, wait_for_session = true });

        Assert.Equal(422, status);
        Assert.Equal("MESSAGE_TYPE_NOT_SUPPORTED", body.GetProperty("error_code").GetString());
        Assert.Contains("cloudapi", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        var (groupStatus, groupBody) = await _host.SendJsonAsync(new { recipient = "120363025246125486@g.us", text = "hi all", session = sessionId, wait_for_session = true });
        Assert.Equal(422, groupStatus);
        Assert.Contains("cannot send to groups", groupBody.GetProperty("error").GetString(), StringComparison.Ordinal);

        // The Sandbox (like WAHA) sends to a group id as it is.
        var (sandboxStatus, sandboxBody) = await _host.SendJsonAsync(new { recipient = "120363025246125486@g.us", text = "hi all" });
        Assert.Equal(202, sandboxStatus);
        Assert.Equal("120363025246125486@g.us", sandboxBody.GetProperty("data").GetProperty("recipient").GetString());
        await _host.WaitForStatusAsync(sandboxBody.GetProperty("data").GetProperty("queue_id").GetString()!, "read");
    }

    [Fact]
    public async Task Metas_subscription_handshake_is_answered_only_with_the_verify_token()
    {
        using var refused = await _host.Client.GetAsync("webhooks/cloudapi?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=123");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private Task<List<JsonElement>> InboundOfAsync(string sessionId, string what) =>
        Eventually.MatchesAsync(
            async () =>
            {
                using var response = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, $"api/inbound?session={sessionId}"));
                return (await DevHostInstance.ReadAsync(response)).GetProperty("data").GetProperty("messages").EnumerateArray().ToList();
            },
            l => l.Count > 0,
            TimeSpan.FromSeconds(30),
            what);

    private async Task<HttpResponseMessage> PostWebhookAsync(string body, string? signature = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "webhooks/cloudapi") { Content = content };
        request.Headers.Add("X-Hub-Signature-256", signature ?? "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(AppSecret), bytes)));
        return await _host.Client.SendAsync(request);
    }

    private static string Envelope(object value) => JsonSerializer.Serialize(new
    {
        @object = "whatsapp_business_account",
        entry = new[] { new { id = "102290129340398", changes = new[] { new { field = "messages", value } } } },
    });

    private static string Status(string wamid, string status) => Envelope(new
    {
        messaging_product = "whatsapp",
        metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId },
        statuses = new[] { new { id = wamid, status, timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), recipient_id = "14155550821" } },
    });

    private static string Inbound(string wamid, string from, string text) => Envelope(new
    {
        messaging_product = "whatsapp",
        metadata = new { display_phone_number = "15550783881", phone_number_id = PhoneNumberId },
        contacts = new[] { new { profile = new { name = "Jo" }, wa_id = from } },
        messages = new[] { new { from, id = wamid, timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), type = "text", text = new { body = text } } },
    });

}

/// <summary>The recipient gap re-checked when the connector sends, not only when the API accepts.</summary>
public sealed class SendTimeRecipientGapTests
{
    [Fact]
    public async Task Messages_held_back_by_a_disconnected_session_still_reach_one_recipient_a_gap_apart()
    {
        await using var host = await DevHostInstance.StartAsync(settings: new()
        {
            ["Limits:DefaultRecipientGap"] = "00:00:02",
            ["Sandbox:AutoPairAfter"] = null,
            ["DevHost:WaitForDemoSession"] = "false",
        });
        var (first, firstBody) = await host.SendJsonAsync(new { recipient = "+14155550931", text = "one", wait_for_session = true });
        var (second, secondBody) = await host.SendJsonAsync(new { recipient = "+14155550931", text = "two", wait_for_session = true });
        Assert.Equal(202, first);
        Assert.Equal(202, second);
        var ids = new[] { firstBody, secondBody }.Select(b => b.GetProperty("data").GetProperty("queue_id").GetString()!).ToList();

        // Both are due (the accept-time gap has passed) while the session is still pairing ...
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.All(await Task.WhenAll(ids.Select(host.GetMessageAsync)), m => Assert.NotEqual("sent", m.GetProperty("data").GetProperty("status").GetString()));

        // ... so when it connects, only the send-time check keeps them apart.
        await host.WaitForSessionAsync(host.ApiKey, "default", "pairing");
        Assert.True(host.Service<SandboxEngine>().Scan(SessionKey.Of(DemoAccountSeeder.DemoAccountId, "default")));
        var sends = await Eventually.MatchesAsync(
            () => Task.FromResult(host.Service<SandboxEngine>().Sent.Where(s => s.Request.Recipient == "+14155550931").OrderBy(s => s.At).ToList()),
            l => l.Count == 2,
            TimeSpan.FromSeconds(60), // generous: the retry and pacing steps run on a machine shared with the rest of the suite
            "both messages to be sent");
        Assert.True(sends[1].At - sends[0].At >= TimeSpan.FromSeconds(1.9), $"sent {sends[1].At - sends[0].At} apart");
    }
}
