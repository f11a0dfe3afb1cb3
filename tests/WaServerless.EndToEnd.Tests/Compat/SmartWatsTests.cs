using System.Net;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Messages;
using WaServerless.Core.Sessions;
using WaServerless.DevHost;
using WaServerless.Engines.Sandbox;
using WaServerless.TestKit;

namespace WaServerless.EndToEnd.Tests.Compat;

/// <summary>
/// SmartWats' drop-in surface at /api/smartwats: its documented JSON examples sent as they are
/// (its placeholders YOUR_INSTANCE_ID, YOUR_TOKEN and 9665XXXXXXX filled in: the session, the key,
/// a Saudi mobile number), answered in its style, through the native handlers to the Sandbox.
/// </summary>
public sealed class SmartWatsTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    private const string Number = "966501234567";

    private DevHostInstance Host => fixture.Host;

    private string Fill(string json) => json
        .Replace("YOUR_INSTANCE_ID", "default", StringComparison.Ordinal)
        .Replace("YOUR_ACCESS_TOKEN", Host.ApiKey, StringComparison.Ordinal)
        .Replace("YOUR_TOKEN", Host.ApiKey, StringComparison.Ordinal)
        .Replace("9665XXXXXXX", Number, StringComparison.Ordinal)
        .Replace("9665YYYYYYY", "966501234568", StringComparison.Ordinal)
        .Replace("9665ZZZZZZZ", "966501234569", StringComparison.Ordinal);

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var response = await Host.Client.PostAsync(path, new StringContent(Fill(json), Encoding.UTF8, "application/json"));
        return (response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string pathAndQuery)
    {
        using var response = await Host.Client.GetAsync(Fill(pathAndQuery));
        return (response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "smartwats", name));

    public static TheoryData<string, string, MessageType> DocumentedSends => new()
    {
        { "api/smartwats/send", """{"number": "9665XXXXXXX", "type": "text", "message": "Hello from SmartWats API!", "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""", MessageType.Text },
        { "api/smartwats/send", """{"number": "9665XXXXXXX", "type": "media", "media_url": "https://example.com/image.jpg", "message": "Check this out!", "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""", MessageType.Image },
        { "api/smartwats/send_location", """{"number": "9665XXXXXXX", "latitude": 24.7136, "longitude": 46.6753, "name": "Riyadh", "address": "Riyadh, Saudi Arabia", "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""", MessageType.Location },
        { "api/smartwats/send_contact", """{"number": "9665XXXXXXX", "contact_name": "John Doe", "contact_phone": "9665YYYYYYY", "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""", MessageType.Contact },
        { "api/smartwats/send_audio", """{"number": "9665XXXXXXX", "audio_url": "https://example.com/voice.mp3", "ptt": true, "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""", MessageType.Audio },
        { "api/smartwats/send_audio", """{"number": "9665XXXXXXX", "audio_url": "https://example.com/song.mp3", "ptt": false, "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""", MessageType.Audio },
        { "api/smartwats/send_group", """{"group_id": "120363025246125486@g.us", "type": "text", "message": "Hello group!", "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""", MessageType.Text },
    };

    [Theory]
    [MemberData(nameof(DocumentedSends))]
    public async Task Its_documented_sends_are_queued_and_reach_the_engine(string path, string json, MessageType type)
    {
        var (status, body) = await PostAsync(path, json);

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("success", body.GetProperty("status").GetString());
        var data = body.GetProperty("data");
        Assert.Equal(type.ToWire(), data.GetProperty("type").GetString());
        var id = data.GetProperty("message_id").GetString()!;
        await Host.WaitForStatusAsync(id, "read");
    }

    [Theory]
    [InlineData("send_album-images.json", "api/smartwats/send_album", 3)]
    [InlineData("send_album-mixed.json", "api/smartwats/send_album", 3)]
    [InlineData("send_carousel-url-buttons.json", "api/smartwats/send_carousel", 1)]
    [InlineData("send_carousel-mixed-buttons.json", "api/smartwats/send_carousel", 1)]
    [InlineData("send_carousel-real-world.json", "api/smartwats/send_carousel", 1)]
    public async Task Its_album_and_carousel_examples_go_out_item_by_item_or_as_one_carousel(string fixture, string path, int engineMessages)
    {
        var (status, body) = await PostAsync(path, Fixture(fixture));

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var id = body.GetProperty("data").GetProperty("message_id").GetString()!;
        await Host.WaitForStatusAsync(id, "read");
        Assert.Equal(engineMessages, Host.Service<SandboxEngine>().Sent.Count(s => s.Request.MessageId == id || s.Request.MessageId.StartsWith(id + ".", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Its_voice_notes_are_the_default_and_an_audio_file_is_asked_for()
    {
        var (_, voice) = await PostAsync("api/smartwats/send_audio", """{"number": "9665XXXXXXX", "audio_url": "https://example.com/audio.mp3", "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""");
        var id = voice.GetProperty("data").GetProperty("message_id").GetString()!;
        await Host.WaitForStatusAsync(id, "read"); // the Sandbox reads at once: "sent" may be gone before the first look

        Assert.Equal(new AudioContent(new Uri("https://example.com/audio.mp3"), Ptt: true), Host.Service<SandboxEngine>().Sent.Single(s => s.Request.MessageId == id).Request.Content);
    }

    [Fact]
    public async Task Groups_and_phone_checks_answer_through_the_instance()
    {
        var (groupsStatus, groups) = await GetAsync("api/smartwats/get_groups?instance_id=YOUR_INSTANCE_ID&access_token=YOUR_TOKEN");
        Assert.True(groupsStatus == HttpStatusCode.OK, groups.ToString());
        Assert.Contains(groups.GetProperty("data").EnumerateArray(), g => g.GetProperty("id").GetString() == "120363025246125486@g.us");

        var (batchStatus, batch) = await PostAsync("api/smartwats/check_phones_batch", """{"phones": ["9665XXXXXXX", "9665YYYYYYY", "9665ZZZZZZZ"], "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""");
        Assert.True(batchStatus == HttpStatusCode.OK, batch.ToString());
        Assert.Equal([Number, "966501234568", "966501234569"], batch.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("phone").GetString()));
        Assert.All(batch.GetProperty("data").EnumerateArray(), r => Assert.True(r.GetProperty("exists").GetBoolean()));

        var (oneStatus, one) = await GetAsync("api/smartwats/check_phone?phone=14155550000&instance_id=YOUR_INSTANCE_ID&access_token=YOUR_TOKEN");
        Assert.True(oneStatus == HttpStatusCode.OK, one.ToString());
        Assert.False(one.GetProperty("data").GetProperty("exists").GetBoolean());
    }

    [Fact]
    public async Task Its_webhook_examples_set_one_webhook_per_instance_with_its_events_mapped()
    {
        var examples = new[]
        {
            """{"webhook_url": "https://your-domain.com/webhook", "enable": true, "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""",
            """{"webhook_url": "https://your-domain.com/webhook", "enable": true, "allowed_events": "received_message,messages.update,contacts.update", "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""",
            """{"webhook_url": "https://your-domain.com/webhook", "enable": true, "allowed_events": ["received_message", "messages.update", "groups.update"], "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""",
        };
        var events = new List<string[]>();
        foreach (var example in examples)
        {
            var (status, body) = await PostAsync("api/smartwats/set_webhook", example);
            Assert.True(status == HttpStatusCode.OK, body.ToString());
            events.Add([.. body.GetProperty("data").GetProperty("events").EnumerateArray().Select(e => e.GetString()!)]);
        }

        Assert.Equal(["*"], events[0]);
        Assert.Equal(["message.inbound", "message.status"], events[1]);
        Assert.Equal(["message.inbound", "message.status"], events[2]);
        using (var listed = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/webhooks")))
        {
            Assert.Single((await DevHostInstance.ReadAsync(listed)).GetProperty("data").EnumerateArray(), w => w.TryGetProperty("description", out var d) && d.GetString() == "smartwats:default");
        }

        var (httpStatus, httpBody) = await PostAsync("api/smartwats/set_webhook", """{"webhook_url": "http://your-domain.com/webhook", "enable": true, "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "error"), (httpStatus, httpBody.GetProperty("status").GetString()));

        var (offStatus, _) = await PostAsync("api/smartwats/set_webhook", """{"enable": false, "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""");
        Assert.Equal(HttpStatusCode.OK, offStatus);
    }

    [Theory]
    [InlineData("""{"number": "9665XXXXXXX", "type": "text", "message": "hi", "instance_id": "YOUR_INSTANCE_ID"}""", HttpStatusCode.Unauthorized, "INVALID_KEY")]
    [InlineData("""{"number": "9665XXXXXXX", "type": "text", "message": "hi", "instance_id": "YOUR_INSTANCE_ID", "access_token": "wrong"}""", HttpStatusCode.Unauthorized, "INVALID_KEY")]
    [InlineData("""{"number": "9665XXXXXXX", "type": "text", "message": "hi", "instance_id": "nope", "access_token": "YOUR_TOKEN"}""", HttpStatusCode.NotFound, "SESSION_NOT_FOUND")]
    [InlineData("""{"number": "9665XXXXXXX", "type": "sticker", "message": "hi", "instance_id": "YOUR_INSTANCE_ID", "access_token": "YOUR_TOKEN"}""", HttpStatusCode.BadRequest, "INVALID_FIELD")]
    public async Task Refusals_come_in_its_style(string json, HttpStatusCode expected, string errorCode)
    {
        var (status, body) = await PostAsync("api/smartwats/send", json);

        Assert.Equal(expected, status);
        Assert.Equal(("error", errorCode), (body.GetProperty("status").GetString(), body.GetProperty("error_code").GetString()));
    }
}

/// <summary>Its instance journey on a devhost whose pairing waits for a scan: create an instance, get its QR code, a pair code, log out.</summary>
public sealed class SmartWatsInstanceTests
{
    [Fact]
    public async Task An_instance_is_created_shows_its_qr_code_and_a_pair_code_and_logs_out()
    {
        await using var host = await DevHostInstance.StartAsync(settings: new() { ["Sandbox:AutoPairAfter"] = null, ["DevHost:WaitForDemoSession"] = "false" });
        var key = Uri.EscapeDataString(host.ApiKey);
        using var created = await host.Client.PostAsync($"api/smartwats/create_instance?access_token={key}", null);
        var instance = (await DevHostInstance.ReadAsync(created)).GetProperty("data").GetProperty("instance_id").GetString()!;
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var qr = await Eventually.MatchesAsync(
            async () =>
            {
                using var response = await host.Client.GetAsync($"api/smartwats/get_qrcode?instance_id={instance}&access_token={key}");
                return await DevHostInstance.ReadAsync(response);
            },
            b => b.GetProperty("status").GetString() == "success",
            TimeSpan.FromSeconds(30),
            "the instance's QR code");
        Assert.StartsWith("sbx-qr@", qr.GetProperty("data").GetProperty("qrcode").GetString(), StringComparison.Ordinal);

        using var pair = await host.Client.GetAsync($"api/smartwats/get_paircode?instance_id={instance}&access_token={key}&phone=966501234567");
        var paired = await DevHostInstance.ReadAsync(pair);
        Assert.True(pair.IsSuccessStatusCode, paired.ToString());
        Assert.Equal("success", paired.GetProperty("status").GetString());

        using var scan = await host.Client.PostAsync($"sandbox/sessions/{SessionKey.Of(DemoAccountSeeder.DemoAccountId, instance)}/scan", null);
        await host.WaitForSessionAsync(host.ApiKey, instance, "connected");
        using var logout = await host.Client.PostAsync("api/smartwats/logout", new StringContent($$"""{"instance_id": "{{instance}}", "access_token": "{{host.ApiKey}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, logout.StatusCode);
        await host.WaitForSessionAsync(host.ApiKey, instance, "logged_out");
    }
}
