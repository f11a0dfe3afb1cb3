using System.Text.Json.Nodes;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;

namespace WaServerless.Engines.CloudApi.Tests;

/// <summary>
/// What the engine puts on the wire for every message type, checked against the request shapes
/// Meta documents for POST /{version}/{phone-number-id}/messages, and the wamid it hands back.
/// </summary>
public sealed class SendContractTests : IDisposable
{
    private const string Recipient = "+4915112345678";
    private const string MessageId = "msg_01JABCDEF";
    private const string Wamid = "wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjQ2QzlCQTVBRkYxRjA3NkI1NgA=";

    private readonly MockGraphApi _api = new();

    public SendContractTests()
    {
        _api.AcceptSends();
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Text_without_a_link_asks_for_no_preview()
    {
        await AssertSends(new TextContent("Your order has shipped."), """
            {
              "type": "text",
              "text": { "preview_url": false, "body": "Your order has shipped." }
            }
            """);
    }

    [Fact]
    public async Task Text_with_a_link_asks_for_a_preview()
    {
        await AssertSends(new TextContent("Track it at https://example.com/t/42 today"), """
            {
              "type": "text",
              "text": { "preview_url": true, "body": "Track it at https://example.com/t/42 today" }
            }
            """);
    }

    [Fact]
    public async Task Text_outside_ascii_arrives_unchanged()
    {
        await AssertSends(new TextContent("Grüße aus Köln 👋 — 東京"), """
            {
              "type": "text",
              "text": { "preview_url": false, "body": "Grüße aus Köln 👋 — 東京" }
            }
            """);
        Assert.Contains("Grüße aus Köln", _api.SingleRequest().RequestMessage.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_by_link_with_caption()
    {
        await AssertSends(new ImageContent(new Uri("https://cdn.example.com/a.jpg"), "Front view"), """
            {
              "type": "image",
              "image": { "link": "https://cdn.example.com/a.jpg", "caption": "Front view" }
            }
            """);
    }

    [Fact]
    public async Task Image_without_caption_sends_no_caption()
    {
        await AssertSends(new ImageContent(new Uri("https://cdn.example.com/a.jpg"), null), """
            { "type": "image", "image": { "link": "https://cdn.example.com/a.jpg" } }
            """);
    }

    [Fact]
    public async Task Document_by_link_with_filename_and_caption()
    {
        await AssertSends(new DocumentContent(new Uri("https://cdn.example.com/inv/7.pdf"), "invoice-7.pdf", "Invoice 7"), """
            {
              "type": "document",
              "document": { "link": "https://cdn.example.com/inv/7.pdf", "caption": "Invoice 7", "filename": "invoice-7.pdf" }
            }
            """);
    }

    [Fact]
    public async Task Video_by_link_with_caption()
    {
        await AssertSends(new VideoContent(new Uri("https://cdn.example.com/clip.mp4"), "Unboxing"), """
            {
              "type": "video",
              "video": { "link": "https://cdn.example.com/clip.mp4", "caption": "Unboxing" }
            }
            """);
    }

    [Fact]
    public async Task Audio_by_link()
    {
        await AssertSends(new AudioContent(new Uri("https://cdn.example.com/note.ogg")), """
            { "type": "audio", "audio": { "link": "https://cdn.example.com/note.ogg" } }
            """);
    }

    [Fact]
    public async Task Location_with_label_as_name()
    {
        await AssertSends(new LocationContent(52.520008, 13.404954, "Alexanderplatz"), """
            {
              "type": "location",
              "location": { "latitude": 52.520008, "longitude": 13.404954, "name": "Alexanderplatz" }
            }
            """);
    }

    [Fact]
    public async Task Contact_card_with_name_parts_and_whatsapp_id()
    {
        await AssertSends(new ContactContent("Ada Lovelace", "+447700900123"), """
            {
              "type": "contacts",
              "contacts": [
                {
                  "name": { "formatted_name": "Ada Lovelace", "first_name": "Ada", "last_name": "Lovelace" },
                  "phones": [ { "phone": "+447700900123", "type": "CELL", "wa_id": "447700900123" } ]
                }
              ]
            }
            """);
    }

    [Fact]
    public async Task Contact_card_with_a_single_name_has_only_a_first_name()
    {
        await AssertSends(new ContactContent("Reception", "+447700900123"), """
            {
              "type": "contacts",
              "contacts": [
                {
                  "name": { "formatted_name": "Reception", "first_name": "Reception" },
                  "phones": [ { "phone": "+447700900123", "type": "CELL", "wa_id": "447700900123" } ]
                }
              ]
            }
            """);
    }

    [Fact]
    public async Task Reply_buttons_as_interactive_button()
    {
        var content = new ButtonsContent("Keep your appointment on Monday?", [new("yes", "Yes"), new("move", "Move it")], "Reply by Sunday");
        await AssertSends(content, """
            {
              "type": "interactive",
              "interactive": {
                "type": "button",
                "body": { "text": "Keep your appointment on Monday?" },
                "footer": { "text": "Reply by Sunday" },
                "action": {
                  "buttons": [
                    { "type": "reply", "reply": { "id": "yes", "title": "Yes" } },
                    { "type": "reply", "reply": { "id": "move", "title": "Move it" } }
                  ]
                }
              }
            }
            """);
    }

    [Fact]
    public async Task List_as_interactive_list()
    {
        var content = new ListContent(
            "Opening hours",
            "Pick a branch",
            "Branches",
            [
                new ListSection("North", [new ListRow("n1", "Harbour", "8-18"), new ListRow("n2", "Station", null)]),
                new ListSection("South", [new ListRow("s1", "Market", "9-17")]),
            ],
            "Closed on holidays");
        await AssertSends(content, """
            {
              "type": "interactive",
              "interactive": {
                "type": "list",
                "header": { "type": "text", "text": "Opening hours" },
                "body": { "text": "Pick a branch" },
                "footer": { "text": "Closed on holidays" },
                "action": {
                  "button": "Branches",
                  "sections": [
                    {
                      "title": "North",
                      "rows": [
                        { "id": "n1", "title": "Harbour", "description": "8-18" },
                        { "id": "n2", "title": "Station" }
                      ]
                    },
                    { "title": "South", "rows": [ { "id": "s1", "title": "Market", "description": "9-17" } ] }
                  ]
                }
              }
            }
            """);
    }

    [Fact]
    public async Task Copy_code_through_the_authentication_template()
    {
        await AssertSends(new CopyCodeContent("482913", "Your login code"), """
            {
              "type": "template",
              "template": {
                "name": "login_code",
                "language": { "code": "en_US" },
                "components": [
                  { "type": "body", "parameters": [ { "type": "text", "text": "482913" } ] },
                  {
                    "type": "button",
                    "sub_type": "url",
                    "index": "0",
                    "parameters": [ { "type": "text", "text": "482913" } ]
                  }
                ]
              }
            }
            """);
    }

    [Fact]
    public async Task Copy_code_without_a_template_fails_permanently_without_calling_meta()
    {
        using var api = new MockGraphApi(settings: new() { ["CloudApi:CopyCodeTemplateName"] = null });

        var result = await api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, new CopyCodeContent("1234", null)), CancellationToken.None);

        Assert.Equal(FailureKind.Permanent, result.Failure);
        Assert.Contains("CopyCodeTemplateName", result.Reason, StringComparison.Ordinal);
        Assert.Empty(api.Server.LogEntries);
    }

    [Fact]
    public async Task A_poll_fails_permanently_without_calling_meta_which_has_no_polls()
    {
        using var api = new MockGraphApi();

        var result = await api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, new PollContent("Which?", ["a", "b"], false)), CancellationToken.None);

        Assert.Equal(FailureKind.Permanent, result.Failure);
        Assert.Contains("no polls", result.Reason, StringComparison.Ordinal);
        Assert.Empty(api.Server.LogEntries);
        Assert.False(api.Engine.Capabilities.CanSend(WaServerless.Core.Messages.MessageType.Poll));
    }

    [Fact]
    public async Task A_url_button_goes_as_metas_interactive_cta_url_message_in_its_documented_shape()
    {
        var content = new CallToActionContent(
            "Tap the button below to see available dates.",
            new UrlButton("See Dates", new Uri("https://www.luckyshrub.com?clickID=kqDGWd24Q5TRwoEQTICY7W1JKoXvaZOXWAS7h1P76s0R7Paec4")),
            null,
            "Dates subject to change.");

        var result = await Send(content);

        Assert.Equal(EngineSendResult.Sent(Wamid), result);
        var expected = JsonNode.Parse(MockGraphApi.Fixture("requests", "interactive-cta-url.json"));
        var actual = _api.SingleRequestBody();
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected\n{expected}\nactual\n{actual}");
    }

    public static TheoryData<string, CarouselContent> MetaCarousels => new()
    {
        {
            "interactive-carousel.json",
            new CarouselContent("Which of these would you like?", null, null,
            [
                new CarouselCard(new Uri("https://example.com/sofa.jpg"), "Sofa", "Three seats, oak legs", "EUR 499", [new CarouselButton(CarouselButtonKind.Url, "Buy now", "https://shop.example.com/sofa")]),
                new CarouselCard(new Uri("https://example.com/lamp.jpg"), "Lamp", "Warm light", null, [new CarouselButton(CarouselButtonKind.Url, "Buy now", "https://shop.example.com/lamp")]),
            ])
        },
        {
            "interactive-carousel-quick-replies.json",
            new CarouselContent("Pick a slot", null, null,
            [
                new CarouselCard(new Uri("https://example.com/am.jpg"), "Morning", "9 to 12", null, [new CarouselButton(CarouselButtonKind.QuickReply, "Book morning", "slot-am")]),
                new CarouselCard(new Uri("https://example.com/pm.jpg"), "Afternoon", "1 to 5", null, [new CarouselButton(CarouselButtonKind.QuickReply, "Book afternoon", "slot-pm")]),
            ])
        },
    };

    [Theory]
    [MemberData(nameof(MetaCarousels))]
    public async Task A_carousel_goes_as_metas_interactive_carousel_with_url_or_quick_reply_cards(string fixture, CarouselContent content)
    {
        var result = await Send(content);

        Assert.Equal(EngineSendResult.Sent(Wamid), result);
        var expected = JsonNode.Parse(MockGraphApi.Fixture("requests", fixture));
        var actual = _api.SingleRequestBody();
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected\n{expected}\nactual\n{actual}");
    }

    [Fact]
    public async Task A_carousel_outside_metas_rules_fails_permanently_without_calling_meta()
    {
        using var api = new MockGraphApi();
        var content = new CarouselContent("Offers", null, null,
        [
            new CarouselCard(new Uri("https://example.com/a.jpg"), "Code", "Use it", null, [new CarouselButton(CarouselButtonKind.Copy, "Copy", "SAVE50")]),
            new CarouselCard(new Uri("https://example.com/b.jpg"), "Code", "Use it", null, [new CarouselButton(CarouselButtonKind.Copy, "Copy", "SAVE60")]),
        ]);

        var result = await api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, content), CancellationToken.None);

        Assert.Equal(FailureKind.Permanent, result.Failure);
        Assert.Contains("copy or call", result.Reason, StringComparison.Ordinal);
        Assert.Empty(api.Server.LogEntries);
    }

    [Fact]
    public async Task A_call_button_fails_permanently_without_calling_meta_which_has_none()
    {
        using var api = new MockGraphApi();
        var content = new CallToActionContent("Questions?", null, new CallButton("Call us", "+14155550100"), null);

        var result = await api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, content), CancellationToken.None);

        Assert.Equal(FailureKind.Permanent, result.Failure);
        Assert.Contains("call", result.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(api.Server.LogEntries);
        Assert.False(api.Engine.Capabilities.CanSend(content));
    }

    [Fact]
    public async Task Request_goes_to_the_versioned_phone_number_path_with_the_bearer_token()
    {
        var result = await Send(new TextContent("hi"));

        Assert.True(result.Succeeded);
        var request = _api.SingleRequest().RequestMessage;
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v23.0/106540352242922/messages", request.Path);
        Assert.Equal($"Bearer {MockGraphApi.AccessToken}", Assert.Single(request.Headers!["Authorization"]));
        Assert.StartsWith("application/json", Assert.Single(request.Headers!["Content-Type"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_wamid_comes_back_as_the_engine_id()
    {
        var result = await Send(new TextContent("hi"));

        Assert.Equal(EngineSendResult.Sent(Wamid), result);
        Assert.Equal("cloudapi", _api.Engine.Name);
    }

    [Fact]
    public async Task Base_url_with_a_path_prefix_keeps_the_prefix()
    {
        using var api = new MockGraphApi(basePath: "/graph").AcceptSends("/graph");

        var result = await api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, new TextContent("hi")), CancellationToken.None);

        Assert.Equal(EngineSendResult.Sent(Wamid), result);
        Assert.Equal($"/graph{MockGraphApi.MessagesPath}", api.SingleRequest().RequestMessage.Path);
    }

    [Fact]
    public async Task A_cancelled_send_throws_instead_of_reporting_a_failure()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, new TextContent("hi")), cancelled.Token));
        Assert.Empty(_api.Server.LogEntries);
    }

    private Task<EngineSendResult> Send(MessageContent content) =>
        _api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, MessageId, Recipient, content), CancellationToken.None);

    /// <summary>
    /// Sends <paramref name="content"/> and compares the whole request body with the common envelope
    /// plus <paramref name="typePart"/> (the "type" and the object of that type).
    /// </summary>
    private async Task AssertSends(MessageContent content, string typePart)
    {
        var result = await Send(content);

        Assert.Equal(EngineSendResult.Sent(Wamid), result);
        var expected = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["to"] = "4915112345678",
            ["biz_opaque_callback_data"] = MessageId,
        };
        foreach (var (key, value) in JsonNode.Parse(typePart)!.AsObject())
        {
            expected[key] = value?.DeepClone();
        }

        var actual = _api.SingleRequestBody();
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected\n{expected}\nactual\n{actual}");
    }
}
