using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Engines.Sandbox;

namespace WaServerless.EndToEnd.Tests;

public sealed class DevHostFixture : IAsyncLifetime
{
    public DevHostInstance Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await DevHostInstance.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>POST /api/send and GET /api/messages over HTTP against the devhost on Azurite, through to the Sandbox engine.</summary>
public sealed class SendApiTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    private DevHostInstance Host => fixture.Host;

    public static TheoryData<string, Dictionary<string, object>> EveryMessageType => new()
    {
        { "text", new() { ["text"] = "Hello from the end-to-end test" } },
        { "image", new() { ["file"] = "https://example.com/cat.jpg", ["text"] = "A cat" } },
        { "document", new() { ["document"] = "https://example.com/invoice.pdf", ["filename"] = "invoice.pdf" } },
        { "video", new() { ["video"] = "https://example.com/clip.mp4" } },
        { "audio", new() { ["audio"] = "https://example.com/note.ogg" } },
        { "location", new() { ["latitude"] = 51.5074, ["longitude"] = -0.1278, ["label"] = "London" } },
        { "contact", new() { ["contact_name"] = "Ada Lovelace", ["contact_phone"] = "+442071838750" } },
        { "buttons", new() { ["text"] = "Confirm?", ["button1"] = "Yes", ["button1id"] = "yes", ["button2"] = "No", ["button2id"] = "no" } },
        { "copy_code", new() { ["copycode"] = "482913", ["copytext"] = "Your login code" } },
        { "poll", new() { ["poll_question"] = "Which day suits you?", ["poll_options"] = new[] { "Monday", "Tuesday", "Friday" }, ["poll_multiple"] = true } },
        { "call_to_action", new() { ["text"] = "Your order has shipped", ["url_button_text"] = "Track", ["url_button_url"] = "https://example.com/t/1042", ["call_button_text"] = "Call us", ["call_button_phone"] = "+1 415 555 0199" } },
        { "list", new() { ["text"] = "Today's menu", ["list_title"] = "Menu", ["list_button"] = "Choose", ["list_sections"] = new[] { new { title = "Mains", rows = new[] { new { rowId = "pizza", title = "Pizza", description = "Large" } } } } } },
        { "carousel", new() { ["text"] = "Offers for you", ["title"] = "Deals", ["cards"] = new object[] { new { title = "50% off", body = "Use it at checkout", image = new { url = "https://example.com/offer.jpg" }, buttons = new object[] { new { copyButton = new { displayText = "Copy code", copyCode = "SAVE50" } }, new { callButton = new { displayText = "Call us", phoneNumber = "+966534874887" } } } } } } },
        { "template", new() { ["template"] = new { name = "order_update", language = "en_US", body_params = new[] { "Ada", "1042" }, header = new { text = "Order 1042" }, buttons = new object[] { new { type = "quick_reply", payload = "stop" }, new { type = "url", text = "track/1042", index = 1 } } } } },
    };

    [Theory]
    [MemberData(nameof(EveryMessageType))]
    public async Task Every_message_type_is_accepted_and_then_sent_delivered_and_read(string type, Dictionary<string, object> fields)
    {
        fields["recipient"] = "+1 415 555 0100";

        var (status, body) = await Host.SendJsonAsync(fields);

        Assert.Equal(202, status);
        var data = body.GetProperty("data");
        Assert.True(body.GetProperty("success").GetBoolean());
        Assert.Equal(
            ["queue_id", "recipient", "message_type", "priority", "priority_label", "status", "timestamp", "remaining_quota", "note"],
            data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(type, data.GetProperty("message_type").GetString());
        Assert.Equal("+14155550100", data.GetProperty("recipient").GetString());
        Assert.Equal("queued", data.GetProperty("status").GetString());
        Assert.Equal(5, data.GetProperty("priority").GetInt32());
        Assert.Equal("normal", data.GetProperty("priority_label").GetString());

        var queueId = data.GetProperty("queue_id").GetString()!;
        var message = (await Host.WaitForStatusAsync(queueId, "read")).GetProperty("data");
        Assert.Equal(["queued", "sending", "sent", "delivered", "read"], message.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
        Assert.StartsWith("sbx.", message.GetProperty("engine_message_id").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, message.GetProperty("attempts").GetInt32());
        Assert.Contains(Host.Service<SandboxEngine>().Sent, s => s.Request.MessageId == queueId);
    }

    [Fact]
    public async Task An_album_is_one_queue_id_whose_items_go_out_in_order_and_show_in_its_history()
    {
        var (status, body) = await Host.SendJsonAsync(new
        {
            recipient = "+14155550178",
            caption = "Photos and videos from our event",
            album = new[]
            {
                new { type = "image", url = "https://example.com/photo1.jpg" },
                new { type = "video", url = "https://example.com/video1.mp4" },
                new { type = "image", url = "https://example.com/photo2.jpg" },
            },
        });

        Assert.True(status == 202, body.ToString());
        Assert.Equal("album", body.GetProperty("data").GetProperty("message_type").GetString());
        var queueId = body.GetProperty("data").GetProperty("queue_id").GetString()!;
        var message = (await Host.WaitForStatusAsync(queueId, "read")).GetProperty("data");

        var sent = Host.Service<SandboxEngine>().Sent.Where(s => s.Request.MessageId.StartsWith(queueId + ".", StringComparison.Ordinal)).OrderBy(s => s.Request.MessageId, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                new ImageContent(new Uri("https://example.com/photo1.jpg"), "Photos and videos from our event"),
                new VideoContent(new Uri("https://example.com/video1.mp4"), null),
                new ImageContent(new Uri("https://example.com/photo2.jpg"), null),
            ],
            sent.Select(s => s.Request.Content));
        var history = message.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal(["queued", "sending", "sent", "delivered", "read"], history.Select(h => h.GetProperty("status").GetString()));
        var sentDetail = history[2].GetProperty("detail").GetString();
        Assert.Equal($"3 parts: 1 image {sent[0].EngineMessageId}, 2 video {sent[1].EngineMessageId}, 3 image {sent[2].EngineMessageId}", sentDetail);
        Assert.Equal(sent[0].EngineMessageId, message.GetProperty("engine_message_id").GetString());
    }

    [Fact]
    public async Task Smesss_own_copy_code_example_is_accepted_as_a_new_user_would_send_it()
    {
        // Its documentation's curl: form fields, the key in X-API-Key, text + copycode + copytext.
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/send")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["recipient"] = "+233244123456",
                ["text"] = "Your verification code is:",
                ["copycode"] = "482916",
                ["copytext"] = "Tap to Copy",
                ["priority"] = "otp",
                ["idempotency_key"] = "otp-user-123-" + Guid.NewGuid().ToString("N"),
            }),
        };
        request.Headers.Add("X-API-Key", Host.ApiKey);

        using var response = await Host.Client.SendAsync(request);
        var body = await DevHostInstance.ReadAsync(response);

        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal("copy_code", body.GetProperty("data").GetProperty("message_type").GetString());
        var queueId = body.GetProperty("data").GetProperty("queue_id").GetString()!;
        await Host.WaitForStatusAsync(queueId, "read"); // the Sandbox acknowledges at once: read is where it ends
        var sent = Assert.Single(Host.Service<SandboxEngine>().Sent, s => s.Request.MessageId == queueId);
        Assert.Equal(new CopyCodeContent("482916", "Your verification code is:", "Tap to Copy"), sent.Request.Content);
    }

    [Fact]
    public async Task A_failed_message_is_resent_as_its_next_attempt_and_a_read_one_is_refused_with_its_status()
    {
        const string Recipient = "+14155550177";
        using (var fault = await Host.Client.PutAsJsonAsync("sandbox/faults/" + Recipient, new { kind = "permanent", reason = "not on WhatsApp", times = 1 }))
        {
            fault.EnsureSuccessStatusCode();
        }

        var (status, body) = await Host.SendJsonAsync(new { recipient = Recipient, text = "second time lucky" });
        Assert.Equal(202, status);
        var queueId = body.GetProperty("data").GetProperty("queue_id").GetString()!;
        var failed = (await Host.WaitForStatusAsync(queueId, "failed")).GetProperty("data");
        var before = failed.GetProperty("history").GetArrayLength();
        var attemptsBefore = failed.GetProperty("attempts").GetInt32();

        using var resent = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, $"api/messages/{queueId}/resend"));
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
        Assert.Equal("queued", (await DevHostInstance.ReadAsync(resent)).GetProperty("data").GetProperty("status").GetString());

        var read = (await Host.WaitForStatusAsync(queueId, "read")).GetProperty("data");
        // The failed history is kept as it was, then the resend and the new attempt follow it.
        var history = read.GetProperty("history").EnumerateArray().ToList();
        Assert.Equal("failed", history[before - 1].GetProperty("status").GetString());
        Assert.Equal(("queued", "resent by the caller"), (history[before].GetProperty("status").GetString(), history[before].GetProperty("detail").GetString()));
        Assert.Equal(["sending", "sent", "delivered", "read"], history.Skip(before + 1).Select(h => h.GetProperty("status").GetString()));
        Assert.Equal(attemptsBefore + 1, read.GetProperty("attempts").GetInt32());
        Assert.Single(Host.Service<SandboxEngine>().Sent, s => s.Request.MessageId == queueId); // the Sandbox records what got through

        using var again = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, $"api/messages/{queueId}/resend"));
        using var unknown = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/messages/msg_01JDA2B3C4D5E6F7G8H9J0KMNP/resend"));
        var refused = await DevHostInstance.ReadAsync(again);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("MESSAGE_NOT_RESENDABLE", refused.GetProperty("error_code").GetString());
        Assert.Contains("read", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_form_post_with_the_key_in_the_apikey_field_is_accepted()
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["apikey"] = Host.ApiKey, ["recipient"] = "+14155550101", ["text"] = "form", ["priority"] = "otp" });

        using var response = await Host.Client.PostAsync("api/send", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var data = (await DevHostInstance.ReadAsync(response)).GetProperty("data");
        Assert.Equal("otp", data.GetProperty("priority_label").GetString());
        Assert.Equal(1, data.GetProperty("priority").GetInt32());
    }

    [Fact]
    public async Task A_multipart_post_with_a_bearer_key_is_accepted()
    {
        using var multipart = new MultipartFormDataContent { { new StringContent("+14155550102"), "recipient" }, { new StringContent("multipart"), "text" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/send") { Content = multipart };
        request.Headers.Authorization = AuthHeaders.Bearer(Host.ApiKey);

        using var response = await Host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Template_messages_as_flat_form_and_multipart_fields_reach_sent_with_their_parameters()
    {
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["recipient"] = "+14155550111",
            ["template_name"] = "monthly_invoice",
            ["template_language"] = "en_GB",
            ["template_params"] = """["March","42.50 EUR"]""",
            ["template_header_document"] = "https://example.com/invoice-03.pdf",
        });
        using var multipart = new MultipartFormDataContent
        {
            { new StringContent("+14155550112"), "recipient" },
            { new StringContent("appointment_reminder"), "template_name" },
            { new StringContent("de"), "template_language" },
            { new StringContent("Jürgen"), "template_param1" },
            { new StringContent("Montag, 9 Uhr"), "template_param2" },
            { new StringContent("""[{"payload":"confirm"},{"payload":"move"}]"""), "template_buttons" },
        };

        using var formResponse = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/send", form));
        using var multipartResponse = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/send", multipart));

        var sent = new List<MessageContent>();
        foreach (var response in new[] { formResponse, multipartResponse })
        {
            var data = (await DevHostInstance.ReadAsync(response)).GetProperty("data");
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("template", data.GetProperty("message_type").GetString());
            var queueId = data.GetProperty("queue_id").GetString()!;
            // Read is final; waiting for sent itself would race the sandbox's receipts.
            var message = (await Host.WaitForStatusAsync(queueId, "read")).GetProperty("data");
            Assert.Contains("sent", message.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()));
            sent.Add(Host.Service<SandboxEngine>().Sent.Single(s => s.Request.MessageId == queueId).Request.Content);
        }

        Assert.Equal(
            new TemplateContent("monthly_invoice", "en_GB", ["March", "42.50 EUR"], TemplateHeader.OfMedia(TemplateHeaderKind.Document, new Uri("https://example.com/invoice-03.pdf")), []),
            sent[0]);
        Assert.Equal(
            new TemplateContent("appointment_reminder", "de", ["Jürgen", "Montag, 9 Uhr"], null, [new(TemplateButtonKind.QuickReply, 0, "confirm"), new(TemplateButtonKind.QuickReply, 1, "move")]),
            sent[1]);
    }

    public static TheoryData<string, string> KeyPlacements => new()
    {
        { "none", "No API key" },
        { "query", "query string" },
        { "api_key field", "not an accepted place" },
        { "token field", "not an accepted place" },
        { "wrong key", "not valid" },
    };

    [Theory]
    [MemberData(nameof(KeyPlacements))]
    public async Task Missing_misplaced_or_unknown_keys_get_401_INVALID_KEY(string placement, string expectedMessage)
    {
        var fields = new Dictionary<string, string> { ["recipient"] = "+14155550103", ["text"] = "x" };
        var path = "api/send";
        switch (placement)
        {
            case "query": path += "?apikey=" + Host.ApiKey; break;
            case "api_key field": fields["api_key"] = Host.ApiKey; break;
            case "token field": fields["token"] = Host.ApiKey; break;
            case "wrong key": fields["apikey"] = WaServerless.Core.Accounts.ApiKeyFormat.Generate(); break;
        }

        using var response = await Host.Client.PostAsync(path, new FormUrlEncodedContent(fields));
        var body = await DevHostInstance.ReadAsync(response);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal("INVALID_KEY", body.GetProperty("error_code").GetString());
        Assert.Equal(401, body.GetProperty("code").GetInt32());
        Assert.Contains(expectedMessage, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        if (placement is "query" or "api_key field" or "token field" or "none")
        {
            Assert.Contains("X-API-Key", body.GetProperty("hint").GetString(), StringComparison.Ordinal);
        }
    }

    public static TheoryData<string, string?, string, int, string> BadBodies => new()
    {
        { "malformed json", "application/json", "{\"recipient\":", 400, "MALFORMED_BODY" },
        { "json array", "application/json", "[1,2]", 400, "MALFORMED_BODY" },
        { "no content type", null, "recipient=%2B14155550104&text=hi", 400, "MISSING_CONTENT_TYPE" },
        { "latin-1 charset", "application/x-www-form-urlencoded; charset=iso-8859-1", "recipient=%2B14155550104&text=hi", 400, "UNSUPPORTED_CHARSET" },
        { "invalid utf-8 in form", "application/x-www-form-urlencoded", "recipient=%2B14155550104&text=%FF%FE", 400, "UNSUPPORTED_CHARSET" },
        { "xml", "application/xml", "<send/>", 415, "UNSUPPORTED_CONTENT_TYPE" },
        { "duplicate field", "application/x-www-form-urlencoded", "recipient=%2B14155550104&text=a&text=b", 400, "DUPLICATE_FIELD" },
        { "wrong field name", "application/json", "{\"phone\":\"+14155550104\",\"text\":\"hi\"}", 400, "WRONG_FIELD_NAME" },
        { "two types at once", "application/json", "{\"recipient\":\"+14155550104\",\"file\":\"https://example.com/a.jpg\",\"latitude\":1,\"longitude\":2}", 400, "CONFLICTING_MESSAGE_TYPES" },
        { "template with a bad language", "application/json", "{\"recipient\":\"+14155550104\",\"template\":{\"name\":\"order_update\",\"language\":\"en-US\"}}", 400, "INVALID_TEMPLATE_MESSAGE" },
        { "too large", "application/json", "{\"recipient\":\"+14155550104\",\"text\":\"" + new string('a', 300_000) + "\"}", 413, "PAYLOAD_TOO_LARGE" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_get_a_clear_error_code_and_never_a_500(string because, string? contentType, string body, int status, string code)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/send", content));
        var json = await DevHostInstance.ReadAsync(response);

        Assert.True(status == (int)response.StatusCode, because);
        Assert.Equal(code, json.GetProperty("error_code").GetString());
        Assert.Equal(status, json.GetProperty("code").GetInt32());
        Assert.False(json.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_original_response_and_sends_once()
    {
        var key = "order-" + Guid.NewGuid();
        var fields = new Dictionary<string, object> { ["recipient"] = "+14155550105", ["text"] = "once", ["idempotency_key"] = key };

        using var first = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/send", JsonContent.Create(fields)));
        using var second = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/send", new FormUrlEncodedContent(fields.ToDictionary(f => f.Key, f => f.Value.ToString()!))));
        fields["text"] = "twice";
        using var changed = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/send", JsonContent.Create(fields)));

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, changed.StatusCode);
        Assert.Equal("IDEMPOTENCY_MISMATCH", (await DevHostInstance.ReadAsync(changed)).GetProperty("error_code").GetString());

        var queueId = (await DevHostInstance.ReadAsync(first)).GetProperty("data").GetProperty("queue_id").GetString()!;
        await Host.WaitForStatusAsync(queueId, "read");
        Assert.Single(Host.Service<SandboxEngine>().Sent, s => s.Request.Recipient == "+14155550105");
    }

    [Fact]
    public async Task A_redelivered_command_is_not_sent_twice()
    {
        var (_, body) = await Host.SendJsonAsync(new { recipient = "+14155550109", text = "only once" });
        var queueId = body.GetProperty("data").GetProperty("queue_id").GetString()!;
        await Host.WaitForStatusAsync(queueId, "read");
        var account = (await Host.Service<WaServerless.Storage.Accounts.AccountStore>().GetAsync(WaServerless.DevHost.DemoAccountSeeder.DemoAccountId, default))!;
        var stored = (await Host.Service<WaServerless.Storage.Messages.MessageStore>().GetAsync(account.Id, queueId, default))!;
        var command = new SendCommand
        {
            MessageId = queueId,
            AccountId = account.Id,
            SessionKey = WaServerless.Core.Sessions.SessionKey.Of(account.Id, "default"),
            Recipient = stored.Recipient,
            Content = stored.Content,
            Priority = stored.Priority.Value,
            AcceptedAt = stored.AcceptedAt,
        };

        // The same command again, as a redelivery or the sweeper's double enqueue would bring it; then a marker behind it.
        await Host.Service<WaServerless.Queues.SendCommandQueue>().EnqueueAsync(command, null, default);
        var (_, marker) = await Host.SendJsonAsync(new { recipient = "+14155550110", text = "marker" });
        await Host.WaitForStatusAsync(marker.GetProperty("data").GetProperty("queue_id").GetString()!, "read");
        await Task.Delay(500);

        Assert.Single(Host.Service<SandboxEngine>().Sent, s => s.Request.MessageId == queueId);
        Assert.Equal(1, (await Host.GetMessageAsync(queueId)).GetProperty("data").GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_permanent_engine_failure_marks_the_message_failed_with_its_reason()
    {
        Host.Service<SandboxEngine>().SetFault("+14155550106", new SandboxFault { Kind = FailureKind.Permanent, Reason = "not on WhatsApp" });

        var (_, body) = await Host.SendJsonAsync(new { recipient = "+14155550106", text = "nobody home" });

        var message = (await Host.WaitForStatusAsync(body.GetProperty("data").GetProperty("queue_id").GetString()!, "failed")).GetProperty("data");
        Assert.Equal("not on WhatsApp", message.GetProperty("failure_reason").GetString());
    }

    [Fact]
    public async Task Transient_failures_are_retried_and_the_third_attempt_delivers()
    {
        Host.Service<SandboxEngine>().SetFault("+14155550107", new SandboxFault { Kind = FailureKind.Transient, Reason = "disconnected", Times = 2 });

        var (_, body) = await Host.SendJsonAsync(new { recipient = "+14155550107", text = "third time lucky" });

        var message = (await Host.WaitForStatusAsync(body.GetProperty("data").GetProperty("queue_id").GetString()!, "read")).GetProperty("data");
        Assert.Equal(3, message.GetProperty("attempts").GetInt32());
        var history = message.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("status").GetString()).ToList();
        Assert.Equal(["queued", "sending", "queued", "sending", "queued", "sending", "sent", "delivered", "read"], history);
    }

    [Fact]
    public async Task Messages_list_with_filters_and_rejects_a_bad_limit()
    {
        var (_, body) = await Host.SendJsonAsync(new { recipient = "+14155550108", text = "listed" });
        var queueId = body.GetProperty("data").GetProperty("queue_id").GetString()!;
        await Host.WaitForStatusAsync(queueId, "read");

        using var list = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/messages?recipient=%2B14155550108&status=read&limit=5"));
        var items = (await DevHostInstance.ReadAsync(list)).GetProperty("data").GetProperty("items");
        Assert.Equal(queueId, Assert.Single(items.EnumerateArray()).GetProperty("queue_id").GetString());

        foreach (var bad in new[] { "limit=0", "limit=1001", "limit=abc", "status=lost", "from=yesterday", "cursor=%%%" })
        {
            using var response = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/messages?" + bad));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, bad);
            Assert.Equal("INVALID_QUERY", (await DevHostInstance.ReadAsync(response)).GetProperty("error_code").GetString());
        }
    }

    [Fact]
    public async Task The_openapi_document_is_served_without_a_key_and_unknown_routes_are_json_404s()
    {
        using var document = await Host.Client.GetAsync("api/openapi.json");
        using var unknown = await Host.Client.GetAsync("api/nothing-here");

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("3.0.3", (await DevHostInstance.ReadAsync(document)).GetProperty("openapi").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("NOT_FOUND", (await DevHostInstance.ReadAsync(unknown)).GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task An_unknown_message_id_is_404()
    {
        using var response = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/messages/msg_01JZZZZZZZZZZZZZZZZZZZZZZZ"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("MESSAGE_NOT_FOUND", (await DevHostInstance.ReadAsync(response)).GetProperty("error_code").GetString());
    }
}

/// <summary>An engine whose receipts arrive before the sender has recorded the engine's id still gets them recorded.</summary>
public sealed class ImmediateReceiptTests
{
    [Fact]
    public async Task Receipts_that_arrive_at_once_after_the_send_are_recorded_not_ignored()
    {
        await using var host = await DevHostInstance.StartAsync(settings: new() { ["Sandbox:DeliveredAfter"] = "00:00:00", ["Sandbox:ReadAfter"] = "00:00:00" });
        var queued = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var (status, body) = await host.SendJsonAsync(new { recipient = $"+1415555{7400 + i:D4}", text = "acked at once" });
            Assert.Equal(202, status);
            queued.Add(body.GetProperty("data").GetProperty("queue_id").GetString()!);
        }

        foreach (var queueId in queued)
        {
            await host.WaitForStatusAsync(queueId, "read");
        }
    }
}
