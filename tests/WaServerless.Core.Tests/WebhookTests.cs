using System.Net;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Net;
using WaServerless.Core.Sessions;
using WaServerless.Core.Webhooks;

namespace WaServerless.Core.Tests;

public class WebhookSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"ping"}""");
    private static readonly DateTimeOffset At = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    // Computed independently: printf '%s' '1700000000.{"id":"evt_1","type":"ping"}' | openssl dgst -sha256 -hmac 'whsec_test_secret'
    private const string KnownSignature = "74a11abdd08483d064a2a1571e7881b084c522f9f3ccd0b800ec8c74aba47fc2";
    private const string KnownPreviousSignature = "a037df2e92dc2a54ba90a85cb73f03b21f5cc507a61f3e57126a8246ad4e18b7";

    [Fact]
    public void Signature_is_the_hex_hmac_sha256_of_timestamp_dot_body()
    {
        Assert.Equal(KnownSignature, WebhookSignature.Compute("whsec_test_secret", 1_700_000_000, Body));
    }

    [Fact]
    public void Header_carries_the_timestamp_and_one_v1_per_secret_in_order()
    {
        var header = WebhookSignature.Header(["whsec_test_secret", "whsec_previous"], 1_700_000_000, Body);

        Assert.Equal($"t=1700000000,v1={KnownSignature},v1={KnownPreviousSignature}", header);
    }

    [Fact]
    public void Verify_accepts_either_secret_during_a_rotation()
    {
        var header = WebhookSignature.Header(["whsec_test_secret", "whsec_previous"], 1_700_000_000, Body);

        Assert.True(WebhookSignature.Verify("whsec_test_secret", header, Body, At, TimeSpan.FromMinutes(5)));
        Assert.True(WebhookSignature.Verify("whsec_previous", header, Body, At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_other", header, Body, At, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Verify_refuses_a_changed_body_a_stale_timestamp_and_a_malformed_header()
    {
        var header = WebhookSignature.Header(["whsec_test_secret"], 1_700_000_000, Body);

        Assert.False(WebhookSignature.Verify("whsec_test_secret", header, Encoding.UTF8.GetBytes("""{"id":"evt_2","type":"ping"}"""), At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test_secret", header, Body, At.AddMinutes(6), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test_secret", $"v1={KnownSignature}", Body, At, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_test_secret", null, Body, At, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Secrets_are_prefixed_long_url_safe_and_distinct()
    {
        var secrets = Enumerable.Range(0, 50).Select(_ => WebhookSecrets.New()).ToList();

        Assert.All(secrets, s => Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", s));
        Assert.Equal(secrets.Count, secrets.Distinct().Count());
    }
}

public class WebhookEventTypesTests
{
    [Fact]
    public void Normalize_trims_lowercases_and_removes_duplicates()
    {
        var (types, unknown) = WebhookEventTypes.Normalize([" Message.Status", "session.state", "message.status", ""]);

        Assert.Null(unknown);
        Assert.Equal(["message.status", "session.state"], types);
    }

    [Fact]
    public void A_star_stands_alone_and_an_unknown_type_is_named()
    {
        Assert.Equal(["*"], WebhookEventTypes.Normalize(["message.status", "*"]).Types);
        Assert.Equal("message.sent", WebhookEventTypes.Normalize(["message.status", "message.sent"]).Unknown);
        Assert.Equal("ping", WebhookEventTypes.Normalize(["ping"]).Unknown);
    }

    [Fact]
    public void Star_matches_every_type_and_a_list_only_its_own()
    {
        Assert.True(WebhookEventTypes.Matches(["*"], WebhookEventTypes.SessionState));
        Assert.True(WebhookEventTypes.Matches(["message.status"], WebhookEventTypes.MessageStatus));
        Assert.False(WebhookEventTypes.Matches(["message.status"], WebhookEventTypes.MessageInbound));
    }
}

public class WebhookUrlsTests
{
    [Theory]
    [InlineData("https://hooks.example.com/wa", false, true)]
    [InlineData("https://hooks.example.com:8443/wa?tenant=1", false, true)]
    [InlineData("http://hooks.example.com/wa", false, false)]
    [InlineData("http://localhost:5000/wa", true, true)]
    [InlineData("ftp://hooks.example.com/wa", true, false)]
    [InlineData("https://user:pass@hooks.example.com/wa", false, false)]
    [InlineData("https://hooks.example.com/wa#part", false, false)]
    [InlineData("/relative/path", false, false)]
    [InlineData("", false, false)]
    [InlineData(null, false, false)]
    public void Only_absolute_https_urls_without_credentials_or_fragment_pass(string? url, bool allowLocal, bool accepted)
    {
        var problem = WebhookUrls.Check(url, allowLocal, out var parsed);

        Assert.Equal(accepted, problem is null);
        Assert.Equal(accepted, parsed is not null);
    }

    [Fact]
    public void An_overlong_url_is_refused()
    {
        Assert.Contains("longer", WebhookUrls.Check("https://hooks.example.com/" + new string('a', 2100), false, out _), StringComparison.Ordinal);
    }
}

public class NetworkAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("168.63.129.16")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    public void Loopback_private_link_local_and_reserved_addresses_are_not_public(string address) =>
        Assert.False(NetworkAddresses.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700:4700::1111")]
    public void Internet_addresses_are_public(string address) =>
        Assert.True(NetworkAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task An_ip_literal_host_is_judged_without_dns()
    {
        Assert.False(await NetworkAddresses.IsPublicHostAsync("169.254.169.254", default));
        Assert.True(await NetworkAddresses.IsPublicHostAsync("8.8.8.8", default));
    }
}

public class WebhookEventTests
{
    private static readonly DateTimeOffset At = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_status_change_becomes_message_status_with_the_session_name_and_a_stable_id()
    {
        var delivery = new DeliveryEvent
        {
            EventId = "msg_1.delivered.4", MessageId = "msg_1", AccountId = "acc_1", SessionKey = "acc_1~default",
            Status = MessageStatus.Delivered, At = At, Attempt = 1, EngineMessageId = "wamid.1",
        };

        var e = WebhookEvent.From(delivery, "+14155550100")!;
        using var body = JsonDocument.Parse(e.ToBody());
        var root = body.RootElement;

        Assert.Equal(WebhookEvent.From(delivery)!.Id, e.Id);
        Assert.StartsWith("evt_", e.Id, StringComparison.Ordinal);
        Assert.Equal(["id", "type", "created_at", "account_id", "data"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("message.status", root.GetProperty("type").GetString());
        Assert.Equal("acc_1", root.GetProperty("account_id").GetString());
        var data = root.GetProperty("data");
        Assert.Equal("msg_1", data.GetProperty("queue_id").GetString());
        Assert.Equal("delivered", data.GetProperty("status").GetString());
        Assert.Equal("default", data.GetProperty("session").GetString());
        Assert.Equal("+14155550100", data.GetProperty("recipient").GetString());
        Assert.False(data.TryGetProperty("failure", out _));
    }

    [Fact]
    public void A_failure_carries_its_kind_and_reason()
    {
        var failed = new DeliveryEvent
        {
            EventId = "msg_2.failed.3", MessageId = "msg_2", AccountId = "acc_1", SessionKey = "default",
            Status = MessageStatus.Failed, At = At, Failure = FailureKind.Permanent, Reason = "not on WhatsApp",
        };

        using var body = JsonDocument.Parse(WebhookEvent.From(failed)!.ToBody());
        var data = body.RootElement.GetProperty("data");

        Assert.Equal("failed", data.GetProperty("status").GetString());
        Assert.Equal("permanent", data.GetProperty("failure").GetString());
        Assert.Equal("not on WhatsApp", data.GetProperty("reason").GetString());
    }

    [Fact]
    public void Session_and_inbound_events_have_their_own_types_and_ids()
    {
        var session = new SessionStateChanged { EventId = "x", AccountId = "acc_1", SessionId = "sales", State = SessionState.LoggedOut, At = At };
        var inbound = new InboundMessageReceived { EventId = "x", AccountId = "acc_1", SessionId = "default", MessageId = "in_1", From = "+14155550100", Type = "text", Text = "hi", At = At };

        var s = WebhookEvent.From(session)!;
        var i = WebhookEvent.From(inbound)!;

        Assert.Equal("session.state", s.Type);
        Assert.Equal("message.inbound", i.Type);
        Assert.NotEqual(s.Id, i.Id);
        using var sessionBody = JsonDocument.Parse(s.ToBody());
        Assert.Equal("logged_out", sessionBody.RootElement.GetProperty("data").GetProperty("state").GetString());
        using var inboundBody = JsonDocument.Parse(i.ToBody());
        Assert.Equal("hi", inboundBody.RootElement.GetProperty("data").GetProperty("text").GetString());
    }

    [Fact]
    public void Anything_else_is_not_a_webhook_event() => Assert.Null(WebhookEvent.From("not an event"));
}
