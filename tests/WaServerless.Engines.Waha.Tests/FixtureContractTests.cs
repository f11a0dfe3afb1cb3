using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;
using WaServerless.TestKit;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace WaServerless.Engines.Waha.Tests;

/// <summary>
/// WAHA's documented payloads (Fixtures/, sources in Fixtures/README.md) against our reading of them:
/// every field we send is one WAHA documents for that route, every webhook reads as what it means,
/// and every answer yields what the engine needs from it.
/// </summary>
public sealed class FixtureContractTests
{
    private static JsonObject Fixture(string path) =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", path)))!;

    private static readonly FetchedMedia Media = new(new byte[] { 0xFF, 0xD8, 0xFF }, "image/jpeg", "photo.jpg");

    public static TheoryData<string, MessageContent, string> Sends => new()
    {
        { "send-text.json", new TextContent("Your order #1001 is ready"), "api/sendText" },
        { "send-image.json", new ImageContent(new Uri("https://cdn.example.com/mug.jpg"), "The blue mug"), "api/sendImage" },
        { "send-file.json", new DocumentContent(new Uri("https://cdn.example.com/invoice.pdf"), "invoice.pdf", "Your invoice"), "api/sendFile" },
        { "send-video.json", new VideoContent(new Uri("https://cdn.example.com/clip.mp4"), "How to"), "api/sendVideo" },
        { "send-file.json", new AudioContent(new Uri("https://cdn.example.com/tune.mp3")), "api/sendFile" },
        { "send-voice.json", new AudioContent(new Uri("https://cdn.example.com/note.ogg"), Ptt: true), "api/sendVoice" },
        { "send-location.json", new LocationContent(52.37, 4.89, "Pickup point"), "api/sendLocation" },
        { "send-contact-vcard.json", new ContactContent("Ada Lovelace", "+14155550199"), "api/sendContactVcard" },
        { "send-list.json", new ListContent("Menu", "Pick one", "Open", [new ListSection("Mains", [new ListRow("r1", "Soup", "Hot")])], "Thanks"), "api/sendList" },
        { "send-poll.json", new ButtonsContent("Pick a slot", [new ReplyButton("a", "Morning"), new ReplyButton("b", "Evening")], null), "api/sendPoll" },
        { "send-poll.json", new PollContent("Which day?", ["Monday", "Tuesday"], MultipleAnswers: false), "api/sendPoll" },
    };

    [Theory]
    [MemberData(nameof(Sends))]
    public void Every_field_we_send_is_one_waha_documents_for_the_route(string fixture, MessageContent content, string path)
    {
        var send = WahaMessageBuilder.Build("ws_0123456789abcdef01234567", "22222222222@c.us", content, Media, ButtonsFallback.Poll);

        Assert.Equal(path, send.Path);
        var missing = PathsOf(send.Body).Except(PathsOf(Fixture("requests/" + fixture))).ToList();
        Assert.True(missing.Count == 0, $"not in WAHA's {fixture}: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_session_we_create_has_the_shape_waha_documents()
    {
        var documented = PathsOf(Fixture("requests/create-session.json")).ToHashSet();
        var ours = new JsonObject
        {
            ["name"] = "ws_0123456789abcdef01234567",
            ["start"] = true,
            ["config"] = new JsonObject
            {
                ["metadata"] = new JsonObject(),
                ["webhooks"] = new JsonArray(new JsonObject
                {
                    ["url"] = "http://localhost:8080/webhooks/waha/ws_0123456789abcdef01234567",
                    ["events"] = new JsonArray("session.status"),
                    ["hmac"] = new JsonObject { ["key"] = "k" },
                    ["retries"] = new JsonObject { ["policy"] = "exponential", ["delaySeconds"] = 2, ["attempts"] = 6 },
                }),
            },
        };

        Assert.Empty(PathsOf(ours).Except(documented));
        Assert.Matches("^[a-zA-Z0-9_-]{1,54}$", WahaSessionNames.Of("acct1~default"));
    }

    [Theory]
    [InlineData("session-status-starting.json", "STARTING")]
    [InlineData("session-status-scan-qr-code.json", "SCAN_QR_CODE")]
    [InlineData("session-status-working.json", "WORKING")]
    [InlineData("session-status-failed.json", "FAILED")]
    [InlineData("session-status-stopped.json", "STOPPED")]
    public void Session_status_webhooks_read_as_their_status(string fixture, string status)
    {
        var webhook = Parse(fixture);

        Assert.Equal("session.status", webhook.Event);
        Assert.Equal("shop_main", webhook.Session);
        Assert.Equal(status, webhook.Status);
        if (status == "WORKING")
        {
            Assert.Equal("11111111111@c.us", webhook.MeId);
        }
    }

    [Fact]
    public void A_text_message_reads_as_inbound_text_with_its_bare_id_sender_and_name()
    {
        var inbound = Parse("message-text.json").Inbound!;

        Assert.Equal("3EB0C767D26A1D5B3B0B", inbound.Id);
        Assert.Equal("+22222222222", inbound.From);
        Assert.Equal("text", inbound.Type);
        Assert.Equal("Hi! Do you have the blue mug in stock?", inbound.Text);
        Assert.Equal("Maria", inbound.ProfileName);
    }

    [Fact]
    public void The_same_message_under_its_lid_reads_with_the_same_id_and_the_phone_from_sender_alt()
    {
        var viaCus = Parse("message-text.json").Inbound!;
        var viaLid = Parse("message-text-lid.json").Inbound!;

        Assert.Equal(viaCus.Id, viaLid.Id);
        Assert.Equal(viaCus.From, viaLid.From);
    }

    [Fact]
    public void Media_and_location_messages_read_as_their_type_without_wahas_internal_file_url()
    {
        var image = Parse("message-image.json").Inbound!;
        var location = Parse("message-location.json").Inbound!;

        Assert.Equal("image", image.Type);
        Assert.Equal("This one, from your catalogue", image.Text);
        Assert.Equal(image.Id, image.MediaId);
        Assert.DoesNotContain("localhost", image.MediaId, StringComparison.Ordinal);
        Assert.Equal("location", location.Type);
        Assert.Equal("Pickup point", location.Text);
    }

    [Fact]
    public void Our_own_messages_are_not_inbound()
    {
        var webhook = Parse("message-from-me.json");

        Assert.Null(webhook.Inbound);
        Assert.Null(WahaWebhook.Parse(Encoding.UTF8.GetBytes(Fixture("webhooks/message-from-me.json").ToJsonString().Replace("message.any", "message", StringComparison.Ordinal)), DateTimeOffset.UtcNow).Inbound);
    }

    [Theory]
    [InlineData("message-ack-server.json", null)]
    [InlineData("message-ack-device.json", ReceiptKind.Delivered)]
    [InlineData("message-ack-read.json", ReceiptKind.Read)]
    [InlineData("message-ack-played.json", ReceiptKind.Read)]
    [InlineData("message-ack-error.json", ReceiptKind.Failed)]
    public void Acks_move_our_message_forward_only_where_they_mean_something_new(string fixture, ReceiptKind? receipt)
    {
        var ack = Parse(fixture).Ack!;

        Assert.Equal("3EB0A1B2C3D4E5F60718", ack.Id);
        Assert.Equal(receipt, ack.Receipt);
    }

    [Fact]
    public void Wahas_send_answer_on_gows_yields_the_bare_message_key()
    {
        Assert.Equal("3EB0A1B2C3D4E5F60718", WahaSendResponse.MessageIdOf(Fixture("responses/send-text.json").ToJsonString()));
        Assert.NotNull(WahaSendResponse.MessageIdOf(Fixture("responses/send-image.json").ToJsonString()));
    }

    [Fact]
    public void Wahas_not_working_answer_is_transient_and_its_reason_is_kept()
    {
        var body = Fixture("responses/error-422-session-not-working.json").ToJsonString();

        Assert.Equal(Core.Contracts.FailureKind.Transient, WahaErrors.Classify(System.Net.HttpStatusCode.UnprocessableEntity));
        Assert.Contains("Session status is not as expected", WahaErrors.Describe(HttpMethod.Post, "api/sendText", System.Net.HttpStatusCode.UnprocessableEntity, body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Groups_are_read_from_each_waha_engines_shape_and_number_checks_give_the_whatsapp_id()
    {
        using var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPorts.Free()}"] });
        void Serve(string path, string body) =>
            server.Given(Request.Create().WithPath(path)).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body));
        Serve("/api/shop_main/groups", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "responses", "groups.json")));
        // WEBJS's shape: a serialised id object, the name, participants under groupMetadata; a chat that is not a group is left out.
        Serve("/api/shop_webjs/groups", """
            [
              {"id": {"server": "g.us", "user": "120363000000000002", "_serialized": "120363000000000002@g.us"}, "name": "Suppliers",
               "groupMetadata": {"participants": [{"id": {"_serialized": "1@c.us"}}, {"id": {"_serialized": "2@c.us"}}, {"id": {"_serialized": "3@c.us"}}]}},
              {"id": {"_serialized": "22222222222@c.us"}, "name": "not a group"}
            ]
            """);
        Serve("/api/contacts/check-exists", Fixture("responses/check-exists.json").ToJsonString());
        await using var harness = new WahaHarness(new() { ["Waha:BaseUrl"] = server.Url });

        Assert.Equal([new GroupInfo("120363000000000001@g.us", "Our Shop - VIP customers", 2)], await harness.Client.GetGroupsAsync("shop_main", CancellationToken.None));
        Assert.Equal([new GroupInfo("120363000000000002@g.us", "Suppliers", 3)], await harness.Client.GetGroupsAsync("shop_webjs", CancellationToken.None));
        Assert.Equal((true, "22222222222@c.us"), await harness.Client.CheckExistsAsync("shop_main", "22222222222", CancellationToken.None));
    }

    [Fact]
    public async Task The_client_reads_wahas_documented_answers_for_sessions_qr_pair_codes_profile_and_number_checks()
    {
        using var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPorts.Free()}"] });
        void Serve(string path, string fixture) =>
            server.Given(Request.Create().WithPath(path)).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Fixture("responses/" + fixture).ToJsonString()));
        Serve("/api/sessions/shop_main", "session-info-working.json");
        Serve("/api/sessions/shop_main/me", "me.json");
        Serve("/api/shop_main/auth/qr", "auth-qr-raw.json");
        Serve("/api/shop_main/auth/request-code", "request-code.json");
        Serve("/api/contacts/check-exists", "check-exists.json");
        await using var harness = new WahaHarness(new() { ["Waha:BaseUrl"] = server.Url });
        var client = harness.Client;

        var info = await client.GetSessionAsync("shop_main", CancellationToken.None);
        Assert.Equal(new WahaSessionInfo("shop_main", "WORKING", "11111111111@c.us"), info);
        Assert.Equal("11111111111@c.us", await client.GetMeAsync("shop_main", CancellationToken.None));
        Assert.StartsWith("2@Xq3vK8", await client.GetQrValueAsync("shop_main", CancellationToken.None), StringComparison.Ordinal);
        Assert.Equal("WZKQ-7HXM", await client.RequestCodeAsync("shop_main", "11111111111", CancellationToken.None));
        Assert.True(await client.NumberExistsAsync("shop_main", "22222222222", CancellationToken.None));
        Assert.All(server.LogEntries, e => Assert.Equal(WahaStandIn.ApiKey, e.RequestMessage.Headers!["X-Api-Key"].Single()));
    }

    private static WahaWebhookEvent Parse(string fixture) =>
        WahaWebhook.Parse(Encoding.UTF8.GetBytes(Fixture("webhooks/" + fixture).ToJsonString()), DateTimeOffset.UtcNow);

    // "file.mimetype", "message.sections[].rows[].rowId": every property path in a document.
    private static IEnumerable<string> PathsOf(JsonNode? node, string prefix = "")
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    var path = prefix.Length == 0 ? key : prefix + "." + key;
                    yield return path;
                    foreach (var inner in PathsOf(value, path))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray a:
                foreach (var inner in a.SelectMany(item => PathsOf(item, prefix + "[]")).Distinct())
                {
                    yield return inner;
                }

                break;
        }
    }
}
