using WaServerless.Core.Sessions;

namespace WaServerless.Core.Tests;

/// <summary>The one parser of "{accountId}~{name}", and the name of a field that carries either form.</summary>
public sealed class SessionKeyTests
{
    [Theory]
    [InlineData("acc_1~default", "acc_1", "default")]
    [InlineData("acc_1~sales~eu", "acc_1", "sales~eu")] // the first separator splits; names may hold it
    [InlineData("a~b", "a", "b")]
    public void A_key_parses_into_its_account_and_name_and_prints_back(string text, string account, string name)
    {
        Assert.True(SessionKey.TryParse(text, out var key));
        Assert.Equal((account, name), (key.AccountId, key.Name));
        Assert.Equal(text, key.ToString());
        Assert.Equal(key, SessionKey.Parse(text));
        Assert.Equal(text, SessionKey.Of(account, name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("default")]
    [InlineData("~default")]
    [InlineData("acc_1~")]
    [InlineData("~")]
    public void Anything_else_is_not_a_key(string? text)
    {
        Assert.False(SessionKey.TryParse(text, out _));
        if (text is not null)
        {
            Assert.Throws<FormatException>(() => SessionKey.Parse(text));
        }
    }

    [Theory]
    [InlineData("acc_1~sales", "sales")]
    [InlineData("sales", "sales")]
    [InlineData("acc_1~", "acc_1~")]
    public void NameOf_takes_the_name_of_a_key_and_leaves_a_bare_name_alone(string keyOrName, string name) =>
        Assert.Equal(name, SessionKey.NameOf(keyOrName));

    [Fact]
    public void A_key_cannot_be_made_of_an_empty_part_or_an_account_with_the_separator()
    {
        Assert.Throws<ArgumentException>(() => new SessionKey("", "default"));
        Assert.Throws<ArgumentException>(() => new SessionKey("acc", ""));
        Assert.Throws<ArgumentException>(() => new SessionKey("a~b", "default"));
    }
}

/// <summary>Renaming the C# property to SessionKey kept the wire name queued and published messages carry.</summary>
public sealed class SessionKeyWireNameTests
{
    [Fact]
    public void Send_commands_and_delivery_events_still_carry_session_id_on_the_wire()
    {
        var command = new WaServerless.Core.Contracts.SendCommand { MessageId = "msg_1", AccountId = "acc_1", SessionKey = "acc_1~default", Recipient = "+14155550100", Content = new WaServerless.Core.Messages.TextContent("hi"), Priority = 5, AcceptedAt = DateTimeOffset.UnixEpoch };
        var json = System.Text.Json.JsonSerializer.Serialize(command, WaServerless.Core.Contracts.WireJson.Options);

        Assert.Contains("\"session_id\":\"acc_1~default\"", json, StringComparison.Ordinal);
        var read = System.Text.Json.JsonSerializer.Deserialize<WaServerless.Core.Contracts.SendCommand>("""{"message_id":"msg_1","account_id":"acc_1","session_id":"acc_1~sales","recipient":"+1","content":{"type":"text","text":"hi"},"priority":5,"accepted_at":"2026-01-01T00:00:00Z"}""", WaServerless.Core.Contracts.WireJson.Options)!;
        Assert.Equal("acc_1~sales", read.SessionKey);
    }
}

/// <summary>What each engine declares it can do, known to the API by the engine's name.</summary>
public sealed class EngineCapabilitiesTests
{
    [Theory]
    [InlineData("sandbox", true, true)]
    [InlineData("Cloud_API", false, false)]
    [InlineData("WAHA", true, true)]
    public void Engines_are_found_by_name_with_their_pairing(string engine, bool qr, bool pairCode)
    {
        var capabilities = WaServerless.Core.Engines.EngineCapabilities.For(engine)!;

        Assert.Equal(qr, capabilities.CanPair(WaServerless.Core.Engines.PairingMethods.QrCode));
        Assert.Equal(pairCode, capabilities.CanPair(WaServerless.Core.Engines.PairingMethods.PairCode));
        Assert.False(capabilities.CanPair(WaServerless.Core.Engines.PairingMethods.None));
        Assert.True(capabilities.CanSend(WaServerless.Core.Messages.MessageType.Text));
    }

    [Theory]
    [InlineData(WaServerless.Core.Engines.ButtonsFallback.NumberedText, true)]
    [InlineData(WaServerless.Core.Engines.ButtonsFallback.Poll, true)]
    [InlineData(WaServerless.Core.Engines.ButtonsFallback.Refuse, false)]
    public void Waha_sends_buttons_only_in_a_fallback_form_and_never_meta_templates(WaServerless.Core.Engines.ButtonsFallback fallback, bool buttons)
    {
        var waha = WaServerless.Core.Engines.EngineCapabilities.For("waha", fallback)!;

        Assert.Equal(buttons, waha.CanSend(WaServerless.Core.Messages.MessageType.Buttons));
        Assert.Equal(buttons, waha.CanSend(WaServerless.Core.Messages.MessageType.CopyCode));
        Assert.False(waha.CanSend(WaServerless.Core.Messages.MessageType.Template));
        Assert.True(waha.CanSend(WaServerless.Core.Messages.MessageType.List));
        Assert.True(waha.Groups && waha.NumberChecks);
    }

    [Theory]
    [InlineData(WaServerless.Core.Media.MediaKind.Image, "image/jpeg", true)]
    [InlineData(WaServerless.Core.Media.MediaKind.Image, "IMAGE/PNG", true)]
    [InlineData(WaServerless.Core.Media.MediaKind.Image, "image/gif", false)]
    [InlineData(WaServerless.Core.Media.MediaKind.Audio, "audio/ogg; codecs=opus", true)]
    [InlineData(WaServerless.Core.Media.MediaKind.Video, "video/quicktime", false)]
    [InlineData(WaServerless.Core.Media.MediaKind.Document, "application/zip", true)]
    [InlineData(WaServerless.Core.Media.MediaKind.Sticker, "image/png", false)]
    [InlineData(WaServerless.Core.Media.MediaKind.Image, null, false)]
    public void Media_types_are_those_whatsapp_takes_for_the_kind(WaServerless.Core.Media.MediaKind kind, string? type, bool accepted) =>
        Assert.Equal(accepted, WaServerless.Core.Media.WhatsAppMediaRules.Accepts(kind, type));

    [Fact]
    public void Media_limits_are_whatsapps_per_kind()
    {
        Assert.Equal(5L * 1024 * 1024, WaServerless.Core.Media.WhatsAppMediaRules.MaxBytes(WaServerless.Core.Media.MediaKind.Image));
        Assert.Equal(16L * 1024 * 1024, WaServerless.Core.Media.WhatsAppMediaRules.MaxBytes(WaServerless.Core.Media.MediaKind.Video));
        Assert.Equal(100L * 1024 * 1024, WaServerless.Core.Media.WhatsAppMediaRules.MaxBytes(WaServerless.Core.Media.MediaKind.Document));
        Assert.Equal(100L * 1024, WaServerless.Core.Media.WhatsAppMediaRules.MaxBytes(WaServerless.Core.Media.MediaKind.Sticker));
    }

    [Fact]
    public void Polls_are_refused_up_front_on_the_cloud_api_which_has_none()
    {
        Assert.False(WaServerless.Core.Engines.EngineCapabilities.CloudApi.CanSend(WaServerless.Core.Messages.MessageType.Poll));
        Assert.True(WaServerless.Core.Engines.EngineCapabilities.Sandbox.CanSend(WaServerless.Core.Messages.MessageType.Poll));
        Assert.True(WaServerless.Core.Engines.EngineCapabilities.Waha(WaServerless.Core.Engines.ButtonsFallback.Refuse).CanSend(WaServerless.Core.Messages.MessageType.Poll));
    }

    [Theory]
    [InlineData("sandbox", true, true)]
    [InlineData("waha", true, true)]
    [InlineData("cloudapi", true, false)]
    public void Url_buttons_go_out_on_every_engine_and_call_buttons_not_on_the_cloud_api(string engine, bool urlButton, bool callButton)
    {
        var capabilities = WaServerless.Core.Engines.EngineCapabilities.For(engine, WaServerless.Core.Engines.ButtonsFallback.Refuse)!;
        var url = new WaServerless.Core.Messages.UrlButton("Track", new Uri("https://example.com/t/1"));
        var call = new WaServerless.Core.Messages.CallButton("Call us", "+14155550100");

        Assert.Equal(urlButton, capabilities.CanSend(new WaServerless.Core.Messages.CallToActionContent("Shipped", url, null, null)));
        Assert.Equal(callButton, capabilities.CanSend(new WaServerless.Core.Messages.CallToActionContent("Shipped", null, call, null)));
        Assert.Equal(callButton, capabilities.CanSend(new WaServerless.Core.Messages.CallToActionContent("Shipped", url, call, null)));
    }

    [Fact]
    public void An_unknown_engine_has_no_capabilities() => Assert.Null(WaServerless.Core.Engines.EngineCapabilities.For("telegram"));
}

/// <summary>A timer schedule read the way the Functions Timer trigger reads it, for the devhost's loops.</summary>
public sealed class TimerScheduleTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 10, 0, 7, TimeSpan.Zero);

    [Theory]
    [InlineData("*/30 * * * * *", "2026-12-01T10:00:30+00:00")]
    [InlineData("0 */1 * * * *", "2026-12-01T10:01:00+00:00")]
    [InlineData("00:00:05", "2026-12-01T10:00:12+00:00")]
    [InlineData("00:00:00.250", "2026-12-01T10:00:07.25+00:00")]
    public void The_next_run_follows_the_cron_or_the_interval(string schedule, string next) =>
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), WaServerless.Core.Scheduling.TimerSchedule.Parse(schedule).Next(At));

    [Theory]
    [InlineData("")]
    [InlineData("every minute")]
    [InlineData("*/5 * * * *")] // five fields: the Timer trigger wants seconds first
    [InlineData("00:00:00")]
    [InlineData("-00:00:05")]
    [InlineData("61 * * * * *")]
    public void Anything_else_is_refused(string schedule) =>
        Assert.False(WaServerless.Core.Scheduling.TimerSchedule.TryParse(schedule, out _));
}
