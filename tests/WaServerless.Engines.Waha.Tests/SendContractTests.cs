using System.Text.Json.Nodes;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Media;
using WaServerless.Core.Messages;

namespace WaServerless.Engines.Waha.Tests;

/// <summary>Each of our message types as WAHA's send routes take it, and what WAHA's answers mean.</summary>
public sealed class SendContractTests
{
    private static readonly Uri MediaUrl = new("https://cdn.example.com/files/photo.jpg");

    public static TheoryData<string, MessageContent, string> Contents => new()
    {
        { "text", new TextContent("Hello from WaServerless https://example.com"), "/api/sendText" },
        { "image", new ImageContent(MediaUrl, "A caption"), "/api/sendImage" },
        { "document", new DocumentContent(new Uri("https://cdn.example.com/invoice"), "invoice-42.pdf", "Your invoice"), "/api/sendFile" },
        { "video", new VideoContent(new Uri("https://cdn.example.com/clip.mp4"), "Watch"), "/api/sendVideo" },
        { "audio", new AudioContent(new Uri("https://cdn.example.com/tune.mp3")), "/api/sendFile" },
        { "voice note", new AudioContent(new Uri("https://cdn.example.com/note.ogg"), Ptt: true), "/api/sendVoice" },
        { "location", new LocationContent(38.8976, -77.0366, "The White House"), "/api/sendLocation" },
        { "contact", new ContactContent("Ada Lovelace", "+14155550199"), "/api/sendContactVcard" },
        { "list", new ListContent("Menu", "Pick one", "Open", [new ListSection("Mains", [new ListRow("r1", "Soup", "Hot"), new ListRow("r2", "Salad", null)])], "Thanks"), "/api/sendList" },
        { "buttons", new ButtonsContent("Choose a slot", [new ReplyButton("a", "Morning"), new ReplyButton("b", "Evening")], "Reply with a number"), "/api/sendText" },
        { "copy_code", new CopyCodeContent("482916", "Your verification code is:"), "/api/sendText" },
        { "poll", new PollContent("Which day?", ["Monday", "Tuesday"], MultipleAnswers: true), "/api/sendPoll" },
        { "call_to_action", new CallToActionContent("Your order has shipped", new UrlButton("Track", new Uri("https://example.com/t/42")), new CallButton("Call us", "+14155550100"), null), "/api/sendText" },
    };

    [Theory]
    [MemberData(nameof(Contents))]
    public async Task Every_type_goes_to_its_waha_route_in_the_session_and_chat_of_the_message(string type, MessageContent content, string path)
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        var result = await harness.SendAsync(content);

        Assert.True(result.Succeeded, $"{type}: {result.Reason}");
        var send = Assert.Single(harness.Waha.Sends);
        Assert.Equal(path, send.Path);
        Assert.Equal(WahaHarness.SessionName, (string)send.Body["session"]!);
        Assert.Equal("14155550100@c.us", (string)send.Body["chatId"]!);
        // The id receipts will carry: WAHA's "true_<chat>_<key>" reduced to the key.
        Assert.Equal(send.MessageKey, result.EngineMessageId);
    }

    [Fact]
    public async Task Media_reach_waha_as_the_bytes_the_connector_fetched_never_as_the_callers_url()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        await harness.SendAsync(new ImageContent(MediaUrl, "A caption"), maxMediaBytes: 1_000_000);

        var body = Assert.Single(harness.Waha.Sends).Body;
        var file = body["file"]!;
        Assert.Equal(Convert.ToBase64String(harness.Media.Content), (string)file["data"]!);
        Assert.Equal("image/jpeg", (string)file["mimetype"]!);
        Assert.Null(file["url"]);
        Assert.DoesNotContain(MediaUrl.AbsoluteUri, body.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("A caption", (string)body["caption"]!);
        var fetch = Assert.Single(harness.Media.Fetches);
        Assert.Equal((MediaUrl, MediaKind.Image, (long?)1_000_000), fetch);
    }

    [Fact]
    public async Task A_document_keeps_the_filename_the_caller_gave()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();
        harness.Media.ContentType = "application/pdf";
        harness.Media.FileName = "download";

        await harness.SendAsync(new DocumentContent(new Uri("https://cdn.example.com/download"), "invoice-42.pdf", null));

        var file = Assert.Single(harness.Waha.Sends).Body["file"]!;
        Assert.Equal("invoice-42.pdf", (string)file["filename"]!);
        Assert.Equal("application/pdf", (string)file["mimetype"]!);
    }

    [Theory]
    [InlineData(FailureKind.Permanent)]
    [InlineData(FailureKind.Transient)]
    public async Task Media_that_cannot_be_fetched_fails_the_send_with_the_fetchers_reason_and_nothing_reaches_waha(FailureKind kind)
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();
        harness.Media.Failure = new MediaFetchException(kind, "media is over 5242880 bytes; the limit for image is 5242880");

        var result = await harness.SendAsync(new ImageContent(MediaUrl, null));

        Assert.Equal(kind, result.Failure);
        Assert.Contains("limit for image", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Waha.Sends);
    }

    [Fact]
    public async Task Text_asks_for_a_link_preview()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        await harness.SendAsync(new TextContent("See https://example.com"));

        var body = Assert.Single(harness.Waha.Sends).Body;
        Assert.Equal("See https://example.com", (string)body["text"]!);
        Assert.True((bool)body["linkPreview"]!);
    }

    [Fact]
    public async Task A_group_id_is_sent_to_as_it_is()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        await harness.SendAsync(new TextContent("Hi all"), recipient: "120363025246125486@g.us");

        Assert.Equal("120363025246125486@g.us", (string)Assert.Single(harness.Waha.Sends).Body["chatId"]!);
    }

    [Fact]
    public async Task Reply_buttons_fall_back_to_numbered_text_by_default()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        await harness.SendAsync(new ButtonsContent("Choose a slot", [new ReplyButton("a", "Morning"), new ReplyButton("b", "Evening")], "Reply with a number"));

        Assert.Equal("Choose a slot\n\n1. Morning\n2. Evening\n\nReply with a number", (string)Assert.Single(harness.Waha.Sends).Body["text"]!);
    }

    [Fact]
    public async Task Reply_buttons_become_a_single_choice_poll_when_the_fallback_is_poll()
    {
        await using var harness = new WahaHarness(new() { ["Waha:ButtonsFallback"] = "Poll" });
        await harness.ConnectWorkingAsync();

        await harness.SendAsync(new ButtonsContent("Choose a slot", [new ReplyButton("a", "Morning"), new ReplyButton("b", "Evening")], null));

        var send = Assert.Single(harness.Waha.Sends);
        Assert.Equal("/api/sendPoll", send.Path);
        var poll = send.Body["poll"]!;
        Assert.Equal("Choose a slot", (string)poll["name"]!);
        Assert.Equal(["Morning", "Evening"], poll["options"]!.AsArray().Select(o => (string)o!));
        Assert.False((bool)poll["multipleAnswers"]!);
    }

    [Fact]
    public async Task A_copy_code_goes_as_its_text_with_the_code_on_its_own_line()
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();

        await harness.SendAsync(new CopyCodeContent("482916", "Your verification code is:"));

        Assert.Equal("Your verification code is:\n\n482916", (string)Assert.Single(harness.Waha.Sends).Body["text"]!);
    }

    [Fact]
    public async Task Url_and_call_buttons_go_as_the_text_with_each_label_and_target_on_its_own_line_whatever_the_fallback()
    {
        await using var harness = new WahaHarness(new() { ["Waha:ButtonsFallback"] = "Refuse" });
        await harness.ConnectWorkingAsync();

        var result = await harness.SendAsync(new CallToActionContent("Your order has shipped", new UrlButton("Track", new Uri("https://example.com/t/42")), new CallButton("Call us", "+14155550100"), "Acme"));

        Assert.True(result.Succeeded, result.Reason);
        var send = Assert.Single(harness.Waha.Sends);
        Assert.Equal("Your order has shipped\n\nTrack: https://example.com/t/42\nCall us: +14155550100\n\nAcme", (string)send.Body["text"]!);
        Assert.False((bool)send.Body["linkPreview"]!);
        Assert.True(harness.Engine.Capabilities.CanSend(MessageType.CallToAction));
    }

    [Fact]
    public async Task Buttons_are_refused_permanently_when_the_fallback_is_refuse_and_templates_always_are()
    {
        await using var harness = new WahaHarness(new() { ["Waha:ButtonsFallback"] = "Refuse" });
        await harness.ConnectWorkingAsync();

        var buttons = await harness.SendAsync(new ButtonsContent("Choose", [new ReplyButton("a", "A")], null));
        var template = await harness.SendAsync(new TemplateContent("order_update", "en_US", [], null, []));

        Assert.Equal(FailureKind.Permanent, buttons.Failure);
        Assert.Equal(FailureKind.Permanent, template.Failure);
        Assert.Empty(harness.Waha.Sends);
        Assert.False(harness.Engine.Capabilities.CanSend(MessageType.Buttons));
        Assert.False(harness.Engine.Capabilities.CanSend(MessageType.Template));
    }

    [Theory]
    [InlineData(400, FailureKind.Permanent)]
    [InlineData(413, FailureKind.Permanent)]
    [InlineData(401, FailureKind.Transient)]
    [InlineData(404, FailureKind.Transient)]
    [InlineData(422, FailureKind.Transient)]
    [InlineData(429, FailureKind.Transient)]
    [InlineData(500, FailureKind.Transient)]
    [InlineData(503, FailureKind.Transient)]
    public async Task Wahas_refusals_are_classified_and_carry_its_message(int status, FailureKind expected)
    {
        await using var harness = new WahaHarness();
        await harness.ConnectWorkingAsync();
        harness.Waha.FailSendsWith = status;

        var result = await harness.SendAsync(new TextContent("hi"));

        Assert.Equal(expected, result.Failure);
        Assert.Contains($"HTTP {status}", result.Reason, StringComparison.Ordinal);
        Assert.Contains("stand-in refused the send", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_send_in_a_session_that_is_not_working_is_transient()
    {
        await using var harness = new WahaHarness();
        await harness.Sessions.ConnectAsync(WahaHarness.SessionKey, null, CancellationToken.None);
        await harness.Sink.WaitForAsync<QrCodeIssued>();

        var result = await harness.SendAsync(new TextContent("hi"));

        Assert.Equal(FailureKind.Transient, result.Failure);
        Assert.Contains("422", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waha_unreachable_or_too_slow_is_transient()
    {
        await using var harness = new WahaHarness(WahaHarness.NothingListening);

        var result = await harness.SendAsync(new TextContent("hi"));

        Assert.Equal(FailureKind.Transient, result.Failure);
        Assert.StartsWith("WAHA unreachable", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"id":"true_14155550100@c.us_3EB0C767D26A1D5B3B0B","fromMe":true}""", "3EB0C767D26A1D5B3B0B")]
    [InlineData("""{"id":{"fromMe":true,"remote":"14155550100@c.us","id":"3EB0AA","_serialized":"true_14155550100@c.us_3EB0AA"}}""", "3EB0AA")]
    [InlineData("""{"key":{"remoteJid":"14155550100@s.whatsapp.net","fromMe":true,"id":"BAE5F1"},"status":1}""", "BAE5F1")]
    [InlineData("""{"ID":"3EB0BB","Timestamp":"2026-12-02T10:00:00Z"}""", "3EB0BB")]
    [InlineData("""{"Info":{"ID":"3EB0CC"}}""", "3EB0CC")]
    [InlineData("""{}""", null)]
    [InlineData("", null)]
    [InlineData("not json", null)]
    public void The_message_id_is_read_from_each_engines_answer_shape(string body, string? expected) =>
        Assert.Equal(expected, WahaSendResponse.MessageIdOf(body));

    [Theory]
    [InlineData("true_14155550100@c.us_3EB0C767D26A1D5B3B0B", "3EB0C767D26A1D5B3B0B")]
    [InlineData("true_105820104785985@lid_3EB0C767D26A1D5B3B0B", "3EB0C767D26A1D5B3B0B")]
    [InlineData("false_120363025246125486@g.us_3EB0AA_14155550100@c.us", "3EB0AA")]
    [InlineData("3EB0C767D26A1D5B3B0B", "3EB0C767D26A1D5B3B0B")]
    public void Message_ids_under_lid_and_c_us_chats_reduce_to_the_same_bare_key(string id, string bare) =>
        Assert.Equal(bare, WahaIds.Bare(id));

    [Theory]
    [InlineData("14155550100@c.us", "+14155550100")]
    [InlineData("14155550100:12@s.whatsapp.net", "+14155550100")]
    [InlineData("105820104785985@lid", null)]
    [InlineData("120363025246125486@g.us", null)]
    public void Phones_are_read_from_chat_ids_only_where_the_chat_is_a_phone(string chatId, string? phone) =>
        Assert.Equal(phone, WahaIds.PhoneOf(chatId));

}
