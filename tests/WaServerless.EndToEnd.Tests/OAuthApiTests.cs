using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// OAuth2 client credentials over HTTP: a key holder creates a client, the client trades its id
/// and secret for a bearer token that sends like a key, and every refusal comes in RFC 6749's (the
/// token endpoint) or RFC 6750's (the API) own shape.
/// </summary>
public sealed class OAuthApiTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    private DevHostInstance Host => fixture.Host;

    private async Task<(string ClientId, string Secret)> CreateClientAsync(string name)
    {
        using var response = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/oauth2/clients", JsonContent.Create(new { name })));
        var body = await DevHostInstance.ReadAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        var data = body.GetProperty("data");
        return (data.GetProperty("client_id").GetString()!, data.GetProperty("client_secret").GetString()!);
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> TokenAsync(Dictionary<string, string> form, AuthenticationHeaderValue? authorization = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/oauth2/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = authorization;
        var response = await Host.Client.SendAsync(request);
        return (response, await DevHostInstance.ReadAsync(response));
    }

    private async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendWithBearerAsync(string token, string text)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/send") { Content = JsonContent.Create(new { recipient = "+14155550961", text }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await Host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response), response);
    }

    [Fact]
    public async Task A_client_trades_its_credentials_for_a_token_that_sends_like_a_key_until_the_client_is_revoked()
    {
        var (clientId, secret) = await CreateClientAsync("billing service");

        var (issued, token) = await TokenAsync(new() { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret });
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.Equal(["access_token", "token_type", "expires_in"], token.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        Assert.Equal(3600, token.GetProperty("expires_in").GetInt32());
        Assert.True(issued.Headers.CacheControl?.NoStore);
        var accessToken = token.GetProperty("access_token").GetString()!;

        var (status, sent, _) = await SendWithBearerAsync(accessToken, "sent with an OAuth2 token");
        Assert.True(status == 202, sent.ToString());
        await Host.WaitForStatusAsync(sent.GetProperty("data").GetProperty("queue_id").GetString()!, "read");

        // HTTP Basic is the other way RFC 6749 lets a client authenticate.
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}"));
        var (byBasic, _) = await TokenAsync(new() { ["grant_type"] = "client_credentials" }, new AuthenticationHeaderValue("Basic", basic));
        Assert.Equal(HttpStatusCode.OK, byBasic.StatusCode);

        using (var listed = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/oauth2/clients")))
        {
            var text = await listed.Content.ReadAsStringAsync();
            Assert.Contains(clientId, text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        using (var revoked = await Host.Client.SendAsync(Host.Request(HttpMethod.Delete, "api/oauth2/clients/" + clientId)))
        {
            Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        }

        var (afterStatus, afterBody, afterResponse) = await SendWithBearerAsync(accessToken, "after the revocation");
        Assert.Equal(401, afterStatus);
        Assert.Equal("INVALID_TOKEN", afterBody.GetProperty("error_code").GetString());
        Assert.Contains("error=\"invalid_token\"", afterResponse.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var (again, againBody) = await TokenAsync(new() { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret });
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
        Assert.Equal("invalid_client", againBody.GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_token_endpoint_refuses_in_rfc_6749s_shapes()
    {
        var (clientId, secret) = await CreateClientAsync("refusals");

        var (wrongGrant, wrongGrantBody) = await TokenAsync(new() { ["grant_type"] = "password", ["username"] = "a", ["password"] = "b" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongGrant.StatusCode);
        Assert.Equal("unsupported_grant_type", wrongGrantBody.GetProperty("error").GetString());
        Assert.Equal("UNSUPPORTED_GRANT_TYPE", wrongGrantBody.GetProperty("error_code").GetString());

        var (noGrant, noGrantBody) = await TokenAsync(new() { ["client_id"] = clientId, ["client_secret"] = secret });
        Assert.Equal(HttpStatusCode.BadRequest, noGrant.StatusCode);
        Assert.Equal("invalid_request", noGrantBody.GetProperty("error").GetString());

        var (badSecret, badSecretBody) = await TokenAsync(new() { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = OAuthFormat.NewClientSecret() });
        Assert.Equal(HttpStatusCode.Unauthorized, badSecret.StatusCode);
        Assert.Equal("invalid_client", badSecretBody.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(badSecretBody.GetProperty("error_description").GetString()));
        Assert.StartsWith("Basic", badSecret.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.True(badSecret.Headers.CacheControl?.NoStore);

        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{clientId}:{secret}"));
        var (twoWays, twoWaysBody) = await TokenAsync(new() { ["grant_type"] = "client_credentials", ["client_secret"] = secret }, new AuthenticationHeaderValue("Basic", basic));
        Assert.Equal(HttpStatusCode.BadRequest, twoWays.StatusCode);
        Assert.Equal("invalid_request", twoWaysBody.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_expired_token_is_refused_with_rfc_6750s_invalid_token_challenge()
    {
        // A token whose expiry has passed, as the store keeps it; the store's own clock-driven expiry
        // is pinned in OAuthClientStoreTests under a test clock.
        var (clientId, _) = await CreateClientAsync("expired");
        var token = OAuthFormat.NewToken();
        using (var listed = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/oauth2/clients")))
        {
            var client = (await DevHostInstance.ReadAsync(listed)).GetProperty("data").EnumerateArray().Single(c => c.GetProperty("client_id").GetString() == clientId);
            using var keys = await Host.Client.SendAsync(Host.Request(HttpMethod.Get, "api/keys"));
            var accountId = (await DevHostInstance.ReadAsync(keys)).GetProperty("data")[0].GetProperty("account_id").GetString()!;
            await Host.Service<StorageClients>().Table(TableNames.OAuthTokens).AddEntityAsync(new TableEntity(OAuthFormat.TokenId(token), string.Empty)
            {
                ["AccountId"] = accountId,
                ["ClientId"] = clientId,
                ["KeyId"] = client.GetProperty("key_id").GetString(),
                ["ExpiresAt"] = DateTimeOffset.UtcNow.AddSeconds(-1),
            });
        }

        var (status, body, response) = await SendWithBearerAsync(token, "too late");

        Assert.Equal(401, status);
        Assert.Equal("TOKEN_EXPIRED", body.GetProperty("error_code").GetString());
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
