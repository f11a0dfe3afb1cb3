using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.CloudApi.Tests;

/// <summary>Meta's messages webhook (Fixtures/webhooks): signatures, the subscription handshake, and the events parsed out.</summary>
public sealed class WebhookTests
{
    private const string Session = MockGraphApi.PhoneNumberId;
    private const string Wamid1 = "wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjQ2QzlCQTVBRkYxRjA3NkI1NgA=";
    private const string Wamid2 = "wamid.HBgNNDkxNTExMjM0NTY3OBUCABEYEjA5RTNGMkI0QTc2QzFEOEU1OQA=";
    private const string Sender = "+4915112345678";

    /// <summary>A body and its X-Hub-Signature-256 under "test-app-secret", computed outside .NET (Python's hmac).</summary>
    private const string SignedBody = """{"object":"whatsapp_business_account","entry":[]}""";
    private const string SignedBodySignature = "sha256=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc";

    private static readonly DateTimeOffset ReceivedAt = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, EngineEvent[]> Expected = new()
    {
        ["status-sent.json"] = [],
        ["status-delivered.json"] = [new ReceiptEvent(Session, At(1772366405), Wamid1, ReceiptKind.Delivered)],
        ["status-read.json"] = [new ReceiptEvent(Session, At(1772366460), Wamid1, ReceiptKind.Read)],
        ["status-failed.json"] =
        [
            new ReceiptEvent(Session, At(1772366407), Wamid1, ReceiptKind.Failed,
                "131049: This message was not delivered to maintain healthy ecosystem engagement. - Meta limits how many marketing messages one user receives; try again later."),
        ],
        ["statuses-batch.json"] =
        [
            new ReceiptEvent(Session, At(1772366405), Wamid1, ReceiptKind.Delivered),
            new ReceiptEvent(Session, At(1772366470), Wamid2, ReceiptKind.Read),
        ],
        ["inbound-text.json"] =
        [
            new InboundMessage(Session, At(1772366500), "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBDNkI3RjhBMjE5RDQ0QjlDMzAA", Sender, "text",
                Text: "Is the shop open on Saturday?", ProfileName: "Jonas Weber"),
        ],
        ["inbound-button-reply.json"] =
        [
            new InboundMessage(Session, At(1772366510), "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjA0QjVEMTdBQjE2QkE5QzgyRDEA", Sender, "button_reply",
                Text: "Move it", ReplyId: "move", ProfileName: "Jonas Weber", InReplyTo: Wamid1),
        ],
        ["inbound-list-reply.json"] =
        [
            new InboundMessage(Session, At(1772366520), "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjA3NEQ2NUQ0RDFGQjVBRTc4MDIA", Sender, "list_reply",
                Text: "Harbour", ReplyId: "n1", ProfileName: "Jonas Weber", InReplyTo: Wamid2),
        ],
        ["inbound-image.json"] =
        [
            new InboundMessage(Session, At(1772366530), "wamid.HBgNNDkxNTExMjM0NTY3OBUCABIYFjNFQjBCMjg1MDBBRjQ4QjE1QTE5NjYA", Sender, "image",
                Text: "The broken part", MediaId: "1003383421387256", ProfileName: "Jonas Weber"),
        ],
        ["template-status-update.json"] = [],
    };

    [Theory]
    [InlineData("status-sent.json")]
    [InlineData("status-delivered.json")]
    [InlineData("status-read.json")]
    [InlineData("status-failed.json")]
    [InlineData("statuses-batch.json")]
    [InlineData("inbound-text.json")]
    [InlineData("inbound-button-reply.json")]
    [InlineData("inbound-list-reply.json")]
    [InlineData("inbound-image.json")]
    [InlineData("template-status-update.json")]
    public void Webhook_payloads_become_engine_events(string fixture)
    {
        var body = Encoding.UTF8.GetBytes(MockGraphApi.Fixture("webhooks", fixture));

        var events = CloudApiWebhook.Parse(body, ReceivedAt);

        Assert.Equal(Expected[fixture], events);
    }

    [Fact]
    public void Every_fixture_has_an_expectation()
    {
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "webhooks"), "*.json").Select(Path.GetFileName).Order();

        Assert.Equal(Expected.Keys.Order(), files);
    }

    [Fact]
    public void A_status_without_a_timestamp_takes_the_time_it_was_received()
    {
        var body = $$$"""
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
              "metadata":{"phone_number_id":"{{{Session}}}"},
              "statuses":[{"id":"{{{Wamid1}}}","status":"delivered","recipient_id":"4915112345678"}]}}]}]}
            """;

        var events = Webhook().Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal([new ReceiptEvent(Session, ReceivedAt, Wamid1, ReceiptKind.Delivered)], events);
    }

    [Fact]
    public void Payloads_of_other_objects_yield_nothing()
    {
        var events = CloudApiWebhook.Parse(Encoding.UTF8.GetBytes("""{"object":"page","entry":[]}"""), ReceivedAt);

        Assert.Empty(events);
    }

    [Fact]
    public void The_right_signature_is_accepted()
    {
        Assert.True(Webhook().IsSignatureValid(Encoding.UTF8.GetBytes(SignedBody), SignedBodySignature));
    }

    [Fact]
    public void Upper_case_hex_is_the_same_signature()
    {
        var upper = "sha256=" + SignedBodySignature["sha256=".Length..].ToUpperInvariant();

        Assert.True(Webhook().IsSignatureValid(Encoding.UTF8.GetBytes(SignedBody), upper));
    }

    [Fact]
    public void A_fixture_body_signed_with_the_app_secret_is_accepted()
    {
        var body = Encoding.UTF8.GetBytes(MockGraphApi.Fixture("webhooks", "status-failed.json"));
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(MockGraphApi.AppSecret), body));

        Assert.True(Webhook().IsSignatureValid(body, signature));
    }

    [Theory]
    [InlineData("sha256=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dd")] // one digit off
    [InlineData("c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc")] // no sha256= prefix
    [InlineData("sha1=c84a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc")] // wrong algorithm
    [InlineData("sha256=c84a394cc475525991e78ff16e430b02")] // truncated
    [InlineData("sha256=zz4a394cc475525991e78ff16e430b02e47f953877d2af0ade26956ce6f384dc")] // not hex
    [InlineData("")]
    [InlineData(null)]
    public void Wrong_or_malformed_signatures_are_rejected(string? signature)
    {
        Assert.False(Webhook().IsSignatureValid(Encoding.UTF8.GetBytes(SignedBody), signature));
    }

    [Fact]
    public void A_tampered_body_is_rejected()
    {
        var tampered = SignedBody.Replace("[]", "[{}]", StringComparison.Ordinal);

        Assert.False(Webhook().IsSignatureValid(Encoding.UTF8.GetBytes(tampered), SignedBodySignature));
    }

    [Fact]
    public void The_signature_of_another_secret_is_rejected()
    {
        var webhook = Webhook(new CloudApiOptions { AppSecret = "another-secret" });

        Assert.False(webhook.IsSignatureValid(Encoding.UTF8.GetBytes(SignedBody), SignedBodySignature));
    }

    [Fact]
    public void The_subscription_handshake_echoes_the_challenge_only_for_the_right_token()
    {
        var webhook = Webhook(new CloudApiOptions { AppSecret = MockGraphApi.AppSecret, WebhookVerifyToken = "verify-me" });

        Assert.Equal("1158201444", webhook.VerifySubscription("subscribe", "verify-me", "1158201444"));
        Assert.Null(webhook.VerifySubscription("subscribe", "guess", "1158201444"));
        Assert.Null(webhook.VerifySubscription("unsubscribe", "verify-me", "1158201444"));
        Assert.Null(Webhook().VerifySubscription("subscribe", "", "1158201444"));
    }

    private static CloudApiWebhook Webhook(CloudApiOptions? options = null) =>
        new(Options.Create(options ?? new CloudApiOptions { AppSecret = MockGraphApi.AppSecret }), new FakeTimeProvider(ReceivedAt));

    private static DateTimeOffset At(long unixSeconds) => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
}
