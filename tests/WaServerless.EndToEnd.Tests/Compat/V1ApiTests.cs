using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Messages;
using WaServerless.Engines.Sandbox;

namespace WaServerless.EndToEnd.Tests.Compat;

/// <summary>
/// The generic sessions + messages API's drop-in surface at /api/v1: its documented requests sent
/// as they are with a Bearer key (its placeholder number +237612345678, which is not a number in
/// use, replaced by a Cameroonian mobile number), answered in its shapes, through the native
/// handlers to the Sandbox.
/// </summary>
public sealed class V1ApiTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    private DevHostInstance Host => fixture.Host;

    private async Task<(HttpStatusCode Status, JsonElement Body)> CallAsync(HttpMethod method, string path, string? json = null, bool withKey = true)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (withKey)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Host.ApiKey);
        }

        using var response = await Host.Client.SendAsync(request);
        return (response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    public static TheoryData<string, string, string, MessageContent> DocumentedSends => new()
    {
        { "api/v1/messages", """{"to": "+237677123456", "message": "Hello from WhatsApp API!"}""", "text", new TextContent("Hello from WhatsApp API!") },
        { "api/v1/messages/media", """{"to": "+237677123456", "mediaUrl": "https://example.com/image.jpg", "mediaType": "image", "caption": "Check this out!"}""", "image", new ImageContent(new Uri("https://example.com/image.jpg"), "Check this out!") },
        { "api/v1/messages/audio", """{"to": "+237677123456", "audioUrl": "https://example.com/voice.ogg", "ptt": true}""", "audio", new AudioContent(new Uri("https://example.com/voice.ogg"), Ptt: true) },
    };

    [Theory]
    [MemberData(nameof(DocumentedSends))]
    public async Task Its_documented_sends_answer_202_in_its_shape_and_reach_the_engine(string path, string json, string type, MessageContent expected)
    {
        var (status, body) = await CallAsync(HttpMethod.Post, path, json);

        Assert.True(status == HttpStatusCode.Accepted, body.ToString());
        Assert.Equal(["id", "toPhone", "type", "status"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("+237677123456", type, "pending"), (body.GetProperty("toPhone").GetString(), body.GetProperty("type").GetString(), body.GetProperty("status").GetString()));
        var id = body.GetProperty("id").GetString()!;
        await Host.WaitForStatusAsync(id, "read");
        Assert.Equal(expected, Host.Service<SandboxEngine>().Sent.Single(s => s.Request.MessageId == id).Request.Content);

        var (_, message) = await CallAsync(HttpMethod.Get, "api/v1/messages/" + id);
        Assert.Equal(("read", type), (message.GetProperty("status").GetString(), message.GetProperty("type").GetString()));
        var (_, list) = await CallAsync(HttpMethod.Get, "api/v1/messages");
        Assert.Contains(list.EnumerateArray(), m => m.GetProperty("id").GetString() == id);
    }

    [Theory]
    [InlineData("api/v1/messages/media", """{"to": "+237677123456", "mediaUrl": "https://example.com/image.bmp", "mediaType": "image"}""")]
    [InlineData("api/v1/messages/media", """{"to": "+237677123456", "mediaUrl": "https://example.com/file.pdf", "mediaType": "document"}""")]
    [InlineData("api/v1/messages/audio", """{"to": "+237677123456", "audioUrl": "https://example.com/voice.flac"}""")]
    [InlineData("api/v1/messages", """{"to": "+237677123456", "text": "wrong field"}""")]
    public async Task Its_media_formats_and_fields_are_checked_before_anything_is_accepted(string path, string json)
    {
        var (status, body) = await CallAsync(HttpMethod.Post, path, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal((400, "Bad Request"), (body.GetProperty("statusCode").GetInt32(), body.GetProperty("error").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_code").GetString()));
    }

    [Fact]
    public async Task A_session_is_created_by_its_key_renamed_listed_and_a_send_on_it_when_not_connected_is_its_409()
    {
        var (created, session) = await CallAsync(HttpMethod.Post, "api/v1/sessions", """{ "session_key": "my-session" }""");
        Assert.True(created == HttpStatusCode.Created, session.ToString());
        Assert.Equal("my-session", session.GetProperty("session_key").GetString());
        var id = session.GetProperty("id").GetString()!;

        var (renamed, renamedBody) = await CallAsync(HttpMethod.Patch, "api/v1/sessions/" + id, """{ "session_key": "shop" }""");
        Assert.Equal(HttpStatusCode.OK, renamed);
        Assert.Equal("shop", renamedBody.GetProperty("session_key").GetString());
        var (_, list) = await CallAsync(HttpMethod.Get, "api/v1/sessions");
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("id").GetString() == id && s.GetProperty("session_key").GetString() == "shop");

        using (var logout = Host.Request(HttpMethod.Post, $"api/sessions/{id}/logout"))
        {
            (await Host.Client.SendAsync(logout)).EnsureSuccessStatusCode();
        }

        await Host.WaitForSessionAsync(Host.ApiKey, id, "logged_out");
        var (status, body) = await CallAsync(HttpMethod.Post, "api/v1/messages", $$"""{"to": "+237677123456", "message": "Hello!", "session_id": "{{id}}"}""");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.StartsWith("Session not connected", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        var (deleted, _) = await CallAsync(HttpMethod.Delete, "api/v1/sessions/" + id);
        Assert.Equal(HttpStatusCode.OK, deleted);
        var (missing, missingBody) = await CallAsync(HttpMethod.Get, "api/v1/sessions/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal(404, missingBody.GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task Its_keys_are_created_once_listed_and_revoked()
    {
        var (created, key) = await CallAsync(HttpMethod.Post, "api/v1/keys", """{"name": "v1 client"}""");
        Assert.Equal(HttpStatusCode.Created, created);
        var id = key.GetProperty("id").GetString()!;
        Assert.StartsWith("SM-", key.GetProperty("key").GetString(), StringComparison.Ordinal);

        var (_, list) = await CallAsync(HttpMethod.Get, "api/v1/keys");
        Assert.Contains(list.EnumerateArray(), k => k.GetProperty("id").GetString() == id && !k.TryGetProperty("key", out _));

        var (revoked, revokedBody) = await CallAsync(HttpMethod.Delete, "api/v1/keys/" + id);
        Assert.Equal(HttpStatusCode.OK, revoked);
        Assert.Equal("revoked", revokedBody.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_missing_key_is_its_401()
    {
        var (status, body) = await CallAsync(HttpMethod.Post, "api/v1/messages", """{"to": "+237677123456", "message": "Hello!"}""", withKey: false);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal((401, "Unauthorized", "INVALID_KEY"), (body.GetProperty("statusCode").GetInt32(), body.GetProperty("error").GetString(), body.GetProperty("error_code").GetString()));
    }
}

/// <summary>Its session journey on a devhost whose pairing waits for a scan: create by session_key, watch its stream, scan, send.</summary>
public sealed class V1SessionStreamTests
{
    [Fact]
    public async Task Its_stream_shows_the_qr_then_connected_under_its_own_event_names_and_the_session_then_sends()
    {
        await using var host = await DevHostInstance.StartAsync(settings: new() { ["Sandbox:AutoPairAfter"] = null, ["DevHost:WaitForDemoSession"] = "false" });
        using var create = new HttpRequestMessage(HttpMethod.Post, "api/v1/sessions") { Content = new StringContent("""{ "session_key": "my-session" }""", Encoding.UTF8, "application/json") };
        create.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.ApiKey);
        using var created = await host.Client.SendAsync(create);
        var id = (await DevHostInstance.ReadAsync(created)).GetProperty("id").GetString()!;

        using var streamRequest = new HttpRequestMessage(HttpMethod.Get, $"api/v1/sessions/{id}/stream");
        streamRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.ApiKey);
        using var stream = await host.Client.SendAsync(streamRequest, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType!.MediaType);
        var events = new SseReader(await stream.Content.ReadAsStreamAsync());

        var first = await events.NextAsync(_ => true);
        Assert.Equal("qr", first.Type);
        using var scan = await host.Client.PostAsync($"sandbox/sessions/{WaServerless.Core.Sessions.SessionKey.Of(WaServerless.DevHost.DemoAccountSeeder.DemoAccountId, id)}/scan", null);
        Assert.Equal(HttpStatusCode.NoContent, scan.StatusCode);
        var next = await events.NextAsync(e => e.Type != "qr");
        Assert.Equal("connected", next.Type);

        using var send = new HttpRequestMessage(HttpMethod.Post, "api/v1/messages") { Content = new StringContent($$"""{"to": "+237677123456", "message": "Hello!", "session_id": "{{id}}"}""", Encoding.UTF8, "application/json") };
        send.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.ApiKey);
        using var sent = await host.Client.SendAsync(send);
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
    }
}
