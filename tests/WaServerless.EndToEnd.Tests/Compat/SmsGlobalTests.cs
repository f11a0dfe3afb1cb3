using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WaServerless.Core.Messages;
using WaServerless.Core.Sessions;
using WaServerless.DevHost;
using WaServerless.Engines.Sandbox;
using WaServerless.Storage.Aliases;
using WaServerless.TestKit;

namespace WaServerless.EndToEnd.Tests.Compat;

/// <summary>
/// SMSGlobal's WhatsApp surface at /api/smsglobal: its MAC authentication signed as its own REST
/// clients sign (ts, nonce, method, path and query, host, port; HMAC-SHA256, base64), its typed
/// messages, the sent and received lists, capability and opt-in, and its 406 and 415.
/// </summary>
public sealed class SmsGlobalTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    private const string Number = "+61412345678";

    private DevHostInstance Host => fixture.Host;

    private async Task<(string Key, string Secret)> MacKeyAsync()
    {
        using var response = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/smsglobal/keys", JsonContent.Create(new { name = "smsglobal client" })));
        var body = await DevHostInstance.ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return (body.GetProperty("key").GetString()!, body.GetProperty("secret").GetString()!);
    }

    /// <summary>The Authorization header SMSGlobal's REST clients send.</summary>
    private HttpRequestMessage Signed(HttpMethod method, string pathAndQuery, (string Key, string Secret) mac, object? body = null, long? ts = null, string? nonce = null, string? secret = null)
    {
        var request = new HttpRequestMessage(method, pathAndQuery.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        var address = Host.Client.BaseAddress!;
        var stamp = (ts ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(CultureInfo.InvariantCulture);
        nonce ??= Guid.NewGuid().ToString("N");
        var normalized = $"{stamp}\n{nonce}\n{method.Method}\n{pathAndQuery}\n{address.Host}\n{address.Port}\n\n";
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.ASCII.GetBytes(secret ?? mac.Secret), Encoding.ASCII.GetBytes(normalized)));
        request.Headers.TryAddWithoutValidation("Authorization", $"MAC id=\"{mac.Key}\", ts=\"{stamp}\", nonce=\"{nonce}\", mac=\"{signature}\"");
        request.Headers.Accept.ParseAdd("application/json");
        return request;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await Host.Client.SendAsync(request);
            return (response.StatusCode, await DevHostInstance.ReadAsync(response));
        }
    }

    public static TheoryData<object, MessageType> TypedMessages => new()
    {
        { new { type = "text", text = "Your order has shipped", preview_url = false }, MessageType.Text },
        { new { type = "image", url = "https://example.com/photo.jpg", caption = "The parcel" }, MessageType.Image },
        { new { type = "video", url = "https://example.com/clip.mp4", caption = "Unboxing" }, MessageType.Video },
        { new { type = "document", url = "https://example.com/invoice.pdf", filename = "invoice.pdf", caption = "Invoice" }, MessageType.Document },
        { new { type = "audio", url = "https://example.com/note.ogg" }, MessageType.Audio },
        { new { type = "location", lat = -33.8688, lng = 151.2093, name = "Sydney", address = "NSW, Australia" }, MessageType.Location },
    };

    [Theory]
    [MemberData(nameof(TypedMessages))]
    public async Task A_mac_signed_send_of_each_type_reaches_the_engine_and_is_listed(object message, MessageType type)
    {
        var mac = await MacKeyAsync();

        var (status, body) = await SendAsync(Signed(HttpMethod.Post, "/api/smsglobal/v2/whatsapp", mac, new { to = new[] { Number }, message }));

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var sent = Assert.Single(body.GetProperty("messages").EnumerateArray());
        Assert.Equal(["id", "recipient", "status", "state", "message", "createdDate"], sent.EnumerateObject().Select(p => p.Name));
        // Its ids are integers, as its documentation types them.
        Assert.Equal(JsonValueKind.Number, sent.GetProperty("id").ValueKind);
        var id = sent.GetProperty("id").GetInt64();
        var queueId = await Host.Service<NumericIdStore>().ResolveAsync(DemoAccountSeeder.DemoAccountId, AliasKind.Outgoing, id, default);

        // Followed through this surface alone, to read (its state says delivered).
        var one = await Eventually.MatchesAsync(
            async () => (await SendAsync(Signed(HttpMethod.Get, $"/api/smsglobal/v2/whatsapp/{id}", mac))).Body,
            m => m.TryGetProperty("status", out var s) && s.GetString() == "read",
            TimeSpan.FromSeconds(60),
            "the message read");
        Assert.Equal("delivered", one.GetProperty("state").GetString());
        Assert.Equal(type, Host.Service<SandboxEngine>().Sent.Single(s => s.Request.MessageId == queueId).Request.Content.Type);
        var (_, list) = await SendAsync(Signed(HttpMethod.Get, $"/api/smsglobal/v2/whatsapp?limit=1000&destination=%2B61412345678", mac));
        Assert.Contains(list.GetProperty("messages").EnumerateArray(), m => m.GetProperty("id").GetInt64() == id);
    }

    [Fact]
    public async Task Its_mac_refuses_a_replayed_nonce_a_stale_timestamp_and_a_wrong_signature_in_its_shape()
    {
        var mac = await MacKeyAsync();
        var nonce = Guid.NewGuid().ToString("N");
        var (first, _) = await SendAsync(Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp", mac, nonce: nonce));
        Assert.Equal(HttpStatusCode.OK, first);

        // Its documentation's own header, sent unchanged: a key that does not exist, refused in its shape.
        var documented = new HttpRequestMessage(HttpMethod.Get, "api/smsglobal/v2/whatsapp");
        documented.Headers.TryAddWithoutValidation("Authorization", "MAC id=\"your API key\", ts=\"1325376000\", nonce=\"random-string\", mac=\"base64-encoded-hash\"");

        foreach (var refused in new[]
        {
            documented,
            Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp", mac, nonce: nonce),
            Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp", mac, ts: DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds()),
            Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp", mac, secret: "not-the-secret"),
            Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp", ("smsg_00000000000000000000000000000000", mac.Secret)),
        })
        {
            var (status, body) = await SendAsync(refused);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Equal(401, body.GetProperty("error").GetProperty("code").GetInt32());
            Assert.Equal("INVALID_KEY", body.GetProperty("error_code").GetString());
        }
    }

    [Fact]
    public async Task A_revoked_mac_key_signs_nothing_more_and_a_list_with_one_bad_number_sends_none()
    {
        var mac = await MacKeyAsync();
        var sentBefore = Host.Service<SandboxEngine>().Sent.Count(s => s.Request.Recipient == "+61412345671");

        var (refused, refusal) = await SendAsync(Signed(HttpMethod.Post, "/api/smsglobal/v2/whatsapp", mac, new { to = new[] { "+61412345671", "call-me" }, message = "Hello" }));
        Assert.Equal((HttpStatusCode.BadRequest, "INVALID_RECIPIENT"), (refused, refusal.GetProperty("error_code").GetString()));
        var (listed, list) = await SendAsync(Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp?destination=%2B61412345671", mac));
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Empty(list.GetProperty("messages").EnumerateArray());
        Assert.Equal(sentBefore, Host.Service<SandboxEngine>().Sent.Count(s => s.Request.Recipient == "+61412345671"));

        using (var revoke = Host.Request(HttpMethod.Delete, $"api/smsglobal/keys/{mac.Key}"))
        using (var revoked = await Host.Client.SendAsync(revoke))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        var (after, afterBody) = await SendAsync(Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp", mac));
        Assert.Equal((HttpStatusCode.Unauthorized, "INVALID_KEY"), (after, afterBody.GetProperty("error_code").GetString()));
    }

    [Fact]
    public async Task The_wrong_accept_is_its_406_and_a_body_that_is_not_json_its_415()
    {
        var mac = await MacKeyAsync();
        var xml = Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp", mac);
        xml.Headers.Accept.Clear();
        xml.Headers.Accept.ParseAdd("text/xml");
        var (notAcceptable, body406) = await SendAsync(xml);
        Assert.Equal(HttpStatusCode.NotAcceptable, notAcceptable);
        Assert.Equal("NOT_ACCEPTABLE", body406.GetProperty("error_code").GetString());

        var form = Signed(HttpMethod.Post, "/api/smsglobal/v2/whatsapp", mac);
        form.Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["to[]"] = Number, ["message"] = "hi" });
        var (unsupported, _) = await SendAsync(form);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported);
    }

    [Fact]
    public async Task A_method_a_resource_does_not_take_is_its_405_with_allow_and_an_unknown_resource_its_404()
    {
        var mac = await MacKeyAsync();

        using var wrongMethod = Signed(HttpMethod.Delete, "/api/smsglobal/v2/whatsapp", mac);
        using var response = await Host.Client.SendAsync(wrongMethod);
        var body = await DevHostInstance.ReadAsync(response);
        var (missing, missingBody) = await SendAsync(Signed(HttpMethod.Get, "/api/smsglobal/v2/sms-incoming", mac));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["GET", "POST"], response.Content.Headers.Allow.Order());
        Assert.Equal((405, "METHOD_NOT_ALLOWED"), (body.GetProperty("error").GetProperty("code").GetInt32(), body.GetProperty("error_code").GetString()));
        Assert.Equal((HttpStatusCode.NotFound, 404), (missing, missingBody.GetProperty("error").GetProperty("code").GetInt32()));
    }

    [Fact]
    public async Task Received_messages_capability_and_opt_in_answer_in_its_fields()
    {
        var mac = await MacKeyAsync();
        using (var inbound = await Host.Client.PostAsJsonAsync($"sandbox/sessions/{SessionKey.Of(DemoAccountSeeder.DemoAccountId, "default")}/inbound", new { from = "+61412345679", type = "text", text = "Where is my parcel?" }))
        {
            inbound.EnsureSuccessStatusCode();
        }

        var incoming = await Eventually.MatchesAsync(
            async () => (await SendAsync(Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp-incoming?origin=%2B61412345679", mac))).Body,
            b => b.TryGetProperty("messages", out var m) && m.GetArrayLength() > 0,
            TimeSpan.FromSeconds(30),
            "the received message");
        var received = incoming.GetProperty("messages")[0];
        Assert.Equal(["id", "from", "to", "message", "createdDate"], received.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("+61412345679", "Where is my parcel?"), (received.GetProperty("from").GetString(), received.GetProperty("message").GetString()));
        var (_, one) = await SendAsync(Signed(HttpMethod.Get, $"/api/smsglobal/v2/whatsapp-incoming/{received.GetProperty("id").GetInt64()}", mac));
        Assert.Equal("Where is my parcel?", one.GetProperty("message").GetString());

        var (capable, capabilities) = await SendAsync(Signed(HttpMethod.Post, "/api/smsglobal/v2/whatsapp/capability", mac, new { numbers = new[] { Number, "+14155550000" } }));
        Assert.True(capable == HttpStatusCode.OK, capabilities.ToString());
        Assert.Equal([true, false], capabilities.GetProperty("capabilities").EnumerateArray().Select(c => c.GetProperty("capable").GetBoolean()));

        var (optedIn, added) = await SendAsync(Signed(HttpMethod.Post, "/api/smsglobal/v2/whatsapp/opt-in", mac, new Dictionary<string, object> { ["opt-in"] = new[] { new { name = "Ada", number = "+61412345670" } } }));
        Assert.True(optedIn == HttpStatusCode.OK, added.ToString());
        Assert.Equal(("Ada", "+61412345670", true), (added.GetProperty("optIn")[0].GetProperty("name").GetString(), added.GetProperty("optIn")[0].GetProperty("number").GetString(), added.GetProperty("optIn")[0].GetProperty("capable").GetBoolean()));
        var (listed, optIns) = await SendAsync(Signed(HttpMethod.Get, "/api/smsglobal/v2/whatsapp/opt-in", mac));
        Assert.True(listed == HttpStatusCode.OK, optIns.ToString());
        Assert.Contains(optIns.GetProperty("optIn").EnumerateArray(), o => o.GetProperty("number").GetString() == "+61412345670" && o.GetProperty("name").GetString() == "Ada");
    }
}
