using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using WaServerless.Core.Messages;
using WaServerless.Core.Sessions;
using WaServerless.DevHost;
using WaServerless.Engines.Sandbox;
using WaServerless.TestKit;

namespace WaServerless.EndToEnd.Tests.Compat;

/// <summary>
/// SMSMobileAPI's drop-in surface at /api/smsmobileapi: its own documented requests sent as they
/// are (only the key and the placeholder numbers replaced), answered in its shapes, through the
/// native accept path to the Sandbox; and its journey: send, delivered, an inbound message read back.
/// </summary>
public sealed class SmsMobileApiTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    // Its getwa example's number; the send examples' 191728660 has too few digits to be a real number.
    private const string Number = "19176728660";

    private DevHostInstance Host => fixture.Host;

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> GetAsync(string pathAndQuery)
    {
        var response = await Host.Client.GetAsync(pathAndQuery.Replace("YOUR_API_KEY", Uri.EscapeDataString(Host.ApiKey), StringComparison.Ordinal));
        return (response.StatusCode, await DevHostInstance.ReadAsync(response), response);
    }

    [Fact]
    public async Task The_documented_send_without_media_is_accepted_and_delivered_and_its_guid_resolves_natively()
    {
        var (status, body, _) = await GetAsync($"api/smsmobileapi/sendsms?apikey=YOUR_API_KEY&waonly=yes&recipients={Number}&message=Hello%20World");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal(("0", "yes"), (body.GetProperty("error").GetString(), body.GetProperty("sent").GetString()));
        var guid = body.GetProperty("guid").GetString()!;
        Assert.Equal(guid, body.GetProperty("recipients")[0].GetProperty("guid").GetString());
        var message = (await Host.WaitForStatusAsync(guid, "read")).GetProperty("data");
        Assert.Equal("+" + Number, message.GetProperty("recipient").GetString());
        Assert.Equal(new TextContent("Hello World"), Host.Service<SandboxEngine>().Sent.Single(s => s.Request.MessageId == guid).Request.Content);
    }

    [Fact]
    public async Task The_documented_send_with_media_goes_as_an_image_with_the_message_as_its_caption()
    {
        var (status, body, _) = await GetAsync($"api/smsmobileapi/sendsms?apikey=YOUR_API_KEY&waonly=yes&recipients={Number}&message=Hello%20World&url_media=https://smsmobileapi.com/logo.png");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var guid = body.GetProperty("guid").GetString()!;
        await Host.WaitForStatusAsync(guid, "read"); // the Sandbox reads at once: "sent" may be gone before the first look
        Assert.Equal(new ImageContent(new Uri("https://smsmobileapi.com/logo.png"), "Hello World"), Host.Service<SandboxEngine>().Sent.Single(s => s.Request.MessageId == guid).Request.Content);
    }

    [Fact]
    public async Task The_documented_examples_number_is_refused_in_its_shape_with_the_reason()
    {
        var (status, body, _) = await GetAsync("api/smsmobileapi/sendsms?apikey=YOUR_API_KEY&waonly=yes&recipients=191728660&message=Hello%20World");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("1", body.GetProperty("error").GetString());
        Assert.Equal("INVALID_RECIPIENT", body.GetProperty("error_code").GetString());
        Assert.Contains("191728660", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_documented_oauth2_flow_gets_a_token_that_sends_with_a_form_body()
    {
        using var created = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/oauth2/clients", JsonContent.Create(new { name = "smsmobileapi" })));
        var client = (await DevHostInstance.ReadAsync(created)).GetProperty("data");
        using var tokenResponse = await Host.Client.PostAsync("api/smsmobileapi/oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = client.GetProperty("client_id").GetString()!,
            ["client_secret"] = client.GetProperty("client_secret").GetString()!,
        }));
        var token = (await DevHostInstance.ReadAsync(tokenResponse)).GetProperty("access_token").GetString()!;

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/smsmobileapi/sendsms?waonly=yes")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["recipients"] = "+" + Number, ["message"] = "Hello" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await Host.Client.SendAsync(request);
        var body = await DevHostInstance.ReadAsync(response);

        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal("yes", body.GetProperty("sent").GetString());
    }

    [Fact]
    public async Task Resendwa_sends_a_failed_message_again_and_refuses_any_other_in_its_shape()
    {
        const string Recipient = "+14155550178";
        using (var fault = await Host.Client.PutAsJsonAsync("sandbox/faults/" + Recipient, new { kind = "permanent", reason = "not on WhatsApp", times = 1 }))
        {
            fault.EnsureSuccessStatusCode();
        }

        var (_, sent, _) = await GetAsync("api/smsmobileapi/sendsms?apikey=YOUR_API_KEY&waonly=yes&recipients=14155550178&message=again");
        var guid = sent.GetProperty("guid").GetString()!;
        await Host.WaitForStatusAsync(guid, "failed");

        var (status, body, _) = await GetAsync($"api/smsmobileapi/resendwa/?apikey=YOUR_API_KEY&guid={guid}");
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("0", body.GetProperty("error").GetString());
        await Host.WaitForStatusAsync(guid, "read");

        var (again, againBody, _) = await GetAsync($"api/smsmobileapi/resendwa/?apikey=YOUR_API_KEY&guid={guid}");
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal(("1", "MESSAGE_NOT_RESENDABLE"), (againBody.GetProperty("error").GetString(), againBody.GetProperty("error_code").GetString()));
    }

    [Fact]
    public async Task Synchronisation_answers_in_its_documented_shape()
    {
        var (status, body, _) = await GetAsync("api/smsmobileapi/getwa/synchronisation/?apikey=YOUR_API_KEY");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["error", "messages", "expire_at", "expire_at_unix"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("0", "synchronized"), (body.GetProperty("error").GetString(), body.GetProperty("messages").GetString()));
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(body.GetProperty("expire_at_unix").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expires.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("expire_at").GetString());
    }

    [Fact]
    public async Task Getwa_returns_a_received_message_in_its_documented_fields_and_filters_by_type_date_and_before()
    {
        var sessionKey = SessionKey.Of(DemoAccountSeeder.DemoAccountId, "default");
        using (var inbound = await Host.Client.PostAsJsonAsync($"sandbox/sessions/{sessionKey}/inbound", new { from = "+" + Number, type = "text", text = "Can you tell me when I will receive my order?", profileName = "Smsmobileapi" }))
        {
            inbound.EnsureSuccessStatusCode();
        }

        var listed = await Eventually.MatchesAsync(
            async () => (await GetAsync("api/smsmobileapi/getwa/?apikey=YOUR_API_KEY")).Body,
            b => b.ValueKind == JsonValueKind.Array && b.EnumerateArray().Any(m => m.GetProperty("message").GetString() == "Can you tell me when I will receive my order?"),
            TimeSpan.FromSeconds(30),
            "the inbound message in getwa");
        var item = listed.EnumerateArray().First(m => m.GetProperty("message").GetString() == "Can you tell me when I will receive my order?");
        Assert.Equal(["date", "hour", "timestamp", "number", "contact", "message", "guid", "type"], item.EnumerateObject().Select(p => p.Name));
        Assert.Equal((Number, "Smsmobileapi"), (item.GetProperty("number").GetString(), item.GetProperty("contact").GetString()));
        var guid = item.GetProperty("guid").GetString();
        var timestamp = item.GetProperty("timestamp").GetString()!;

        bool Has(JsonElement list) => list.EnumerateArray().Any(m => m.GetProperty("guid").GetString() == guid);
        Assert.True(Has((await GetAsync($"api/smsmobileapi/getwa/?apikey=YOUR_API_KEY&message_type=text&date={item.GetProperty("date").GetString()}")).Body));
        Assert.False(Has((await GetAsync("api/smsmobileapi/getwa/?apikey=YOUR_API_KEY&message_type=audio")).Body));
        Assert.False(Has((await GetAsync($"api/smsmobileapi/getwa/?apikey=YOUR_API_KEY&before={timestamp}")).Body));
        Assert.False(Has((await GetAsync("api/smsmobileapi/getwa/?apikey=YOUR_API_KEY&date=2025-03-11")).Body));

        var (badDate, badDateBody, _) = await GetAsync("api/smsmobileapi/getwa/?apikey=YOUR_API_KEY&date=11/03/2025");
        Assert.Equal(HttpStatusCode.BadRequest, badDate);
        Assert.Equal("1", badDateBody.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("api/smsmobileapi/sendsms?waonly=yes&recipients=19176728660&message=hi", "INVALID_KEY")]
    [InlineData("api/smsmobileapi/sendsms?apikey=SM-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&waonly=yes&recipients=19176728660&message=hi", "INVALID_KEY")]
    [InlineData("api/smsmobileapi/getwa/?apikey=wat_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "INVALID_TOKEN")]
    public async Task Authentication_failures_come_in_its_shape(string pathAndQuery, string errorCode)
    {
        var (status, body, _) = await GetAsync(pathAndQuery);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(("1", errorCode), (body.GetProperty("error").GetString(), body.GetProperty("error_code").GetString()));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task A_send_without_waonly_is_refused_as_this_service_sends_whatsapp_only()
    {
        var (status, body, _) = await GetAsync($"api/smsmobileapi/sendsms?apikey=YOUR_API_KEY&recipients={Number}&message=hi");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("waonly=yes", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
