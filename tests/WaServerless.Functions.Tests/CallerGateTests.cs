using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WaServerless.Api;
using WaServerless.Api.Auth;
using WaServerless.Api.Bulk;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Webhooks;
using WaServerless.TestKit;

namespace WaServerless.Functions.Tests;

/// <summary>
/// The caller authentication both hosts run before any handler (the devhost's endpoint filter and
/// the Functions app's CallerGateMiddleware call the same <see cref="CallerGate"/>), on Azurite.
/// </summary>
public sealed class CallerGateTests : IAsyncLifetime
{
    private const string AdminCredential = "test-admin-credential-0123456789";
    private CallerGate _gate = null!;
    private RequestFieldsReader _fields = null!;
    private string _key = null!;
    private string _accountId = null!;
    private MacCredentialStore _macs = null!;
    private string _keyId = null!;

    public async Task InitializeAsync()
    {
        var clients = (await Azurite.Shared).Clients(Azurite.NewPrefix());
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        var accounts = new AccountStore(clients, TimeProvider.System);
        var keys = new ApiKeyStore(clients, accounts, TimeProvider.System);
        var account = await accounts.CreateAsync("Gate", "starter", 100, null, null, default);
        (var record, _key) = await keys.CreateAsync(account.Id, "gate", null, default);
        _keyId = record.KeyId;
        _accountId = account.Id;
        var api = Options.Create(new ApiOptions());
        _fields = new RequestFieldsReader(api);
        _gate = new CallerGate(
            new ApiKeyAuthenticator(keys, new OAuthClientStore(clients, keys, TimeProvider.System), api),
            new AdminAuthenticator(Options.Create(new AdminOptions { ApiKey = AdminCredential })),
            _fields,
            new BulkRequestReader(Options.Create(new BulkOptions())),
            _macs = new MacCredentialStore(clients, keys, Options.Create(new WebhookOptions { EncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }), TimeProvider.System));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static DefaultHttpContext Request(string method, string path, string? contentType = null, string? body = null, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        if (body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Request.ContentType = contentType;
            context.Request.ContentLength = bytes.Length;
            context.Request.Body = new MemoryStream(bytes);
        }

        return context;
    }

    private async Task<ApiError> RefusedAsync(HttpContext context) =>
        (await Assert.ThrowsAsync<ApiErrorException>(() => _gate.PassAsync(context, default))).Error;

    [Fact]
    public void Every_route_is_found_from_its_own_path_and_the_access_table_names_only_real_routes()
    {
        foreach (var route in ApiEndpoints.Routes)
        {
            var path = "/api/" + string.Join('/', route.Route.Split('/').Select(s => s.StartsWith('{') ? "x1" : s));
            Assert.Equal(route, ApiEndpoints.Match(route.Method, path));
        }

        Assert.Null(ApiEndpoints.Match("GET", "/api/no-such-thing"));
        Assert.Null(ApiEndpoints.Match("GET", "/webhooks/cloudapi"));
        Assert.Equal(("GET", "sessions/{sessionId}/qr"), ApiEndpoints.Match("get", "/API/Sessions/default/QR/"));
        Assert.Equal(RouteAccess.Public, ApiEndpoints.AccessOf(("POST", "oauth2/token")));
        Assert.Equal(RouteAccess.Admin, ApiEndpoints.AccessOf(("POST", "accounts")));
        Assert.Equal(RouteAccess.Key, ApiEndpoints.AccessOf(("POST", "send")));
    }

    [Fact]
    public async Task A_key_route_lets_in_a_valid_key_and_leaves_the_caller_for_the_handler()
    {
        var context = Request("GET", "/api/messages", headers: ("X-API-Key", _key));

        await _gate.PassAsync(context, default);

        Assert.Equal(_accountId, context.Request.Caller().Account.Id);
        Assert.False(context.Request.IsAdmin());
    }

    [Fact]
    public async Task An_smsglobal_route_takes_a_mac_signed_as_its_clients_sign_behind_https_once_per_nonce()
    {
        var (mac, secret) = await _macs.CreateAsync(_accountId, _keyId, "gate", default);
        DefaultHttpContext Signed(string pathAndQuery, string signedPathAndQuery, string nonce)
        {
            var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{ts}\n{nonce}\nGET\n{signedPathAndQuery}\nwa.example.net\n443\n\n")));
            var context = Request("GET", pathAndQuery.Split('?')[0], headers: ("Authorization", $"MAC id=\"{mac.Id}\", ts=\"{ts}\", nonce=\"{nonce}\", mac=\"{signature}\""));
            context.Request.Scheme = "https";
            context.Request.Host = new HostString("wa.example.net");
            context.Request.QueryString = new QueryString(pathAndQuery.Contains('?') ? pathAndQuery[pathAndQuery.IndexOf('?')..] : string.Empty);
            return context;
        }

        // Behind Azure's front end the app sees http on port 80; the client signed https on 443.
        var proxied = Signed("/api/smsglobal/v2/whatsapp", "/api/smsglobal/v2/whatsapp", "nonce-0");
        proxied.Request.Scheme = "http";
        proxied.Request.Headers["X-Forwarded-Proto"] = "https";
        await _gate.PassAsync(proxied, default);
        Assert.Equal(_accountId, proxied.Request.Caller().Account.Id);

        var signed = Signed("/api/smsglobal/v2/whatsapp?limit=5", "/api/smsglobal/v2/whatsapp?limit=5", "nonce-1");
        await _gate.PassAsync(signed, default);
        Assert.Equal(_accountId, signed.Request.Caller().Account.Id);

        var replayed = await RefusedAsync(Signed("/api/smsglobal/v2/whatsapp?limit=5", "/api/smsglobal/v2/whatsapp?limit=5", "nonce-1"));
        var tampered = await RefusedAsync(Signed("/api/smsglobal/v2/whatsapp?limit=500", "/api/smsglobal/v2/whatsapp?limit=5", "nonce-2"));
        var elsewhere = await RefusedAsync(Signed("/api/messages", "/api/messages", "nonce-3"));
        Assert.Equal([(401, ErrorCodes.InvalidKey), (401, ErrorCodes.InvalidKey), (401, ErrorCodes.InvalidKey)], new[] { replayed, tampered, elsewhere }.Select(e => (e.Status, e.Code)));
        Assert.Contains("nonce", replayed.Message, StringComparison.Ordinal);
        Assert.Contains("signature", tampered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_route_without_a_credential_is_refused_before_the_handler()
    {
        var context = Request("GET", "/api/messages");

        var error = await RefusedAsync(context);

        Assert.Equal((401, ErrorCodes.InvalidKey), (error.Status, error.Code));
        Assert.Throws<InvalidOperationException>(() => context.Request.Caller());
    }

    [Fact]
    public async Task A_key_in_the_post_field_apikey_is_read_once_and_the_handler_gets_the_same_fields()
    {
        var context = Request("POST", "/api/send", "application/x-www-form-urlencoded", $"apikey={_key}&recipient=%2B14155550100&text=hi");

        await _gate.PassAsync(context, default);

        Assert.Equal(_accountId, context.Request.Caller().Account.Id);
        var fields = await _fields.ReadAsync(context.Request, default);
        Assert.Equal("hi", fields["text"]);
    }

    [Fact]
    public async Task A_malformed_body_is_a_400_before_any_401_as_it_always_was()
    {
        var error = await RefusedAsync(Request("POST", "/api/send", "application/json", "{\"recipient\":"));

        Assert.Equal(400, error.Status);
    }

    [Fact]
    public async Task A_bodiless_post_is_authenticated_from_its_headers_without_reading_a_body()
    {
        var context = Request("POST", "/api/messages/msg_1/cancel", headers: ("Authorization", "Bearer " + _key));

        await _gate.PassAsync(context, default);

        Assert.Equal(_accountId, context.Request.Caller().Account.Id);
    }

    [Fact]
    public async Task Admin_routes_need_the_admin_credential_and_public_routes_need_nothing()
    {
        Assert.Equal(ErrorCodes.AdminKeyRequired, (await RefusedAsync(Request("GET", "/api/accounts", headers: ("X-API-Key", _key)))).Code);

        var admin = Request("GET", "/api/accounts", headers: (AdminAuthenticator.Header, AdminCredential));
        await _gate.PassAsync(admin, default);
        Assert.True(admin.Request.IsAdmin());

        var open = Request("GET", "/api/openapi.json");
        await _gate.PassAsync(open, default);
        Assert.False(open.Request.IsAdmin());
    }

    [Fact]
    public async Task A_key_or_admin_route_takes_either()
    {
        var byKey = Request("DELETE", "/api/keys/key_x", headers: ("X-API-Key", _key));
        var byAdmin = Request("DELETE", "/api/keys/key_x", headers: (AdminAuthenticator.Header, AdminCredential));

        await _gate.PassAsync(byKey, default);
        await _gate.PassAsync(byAdmin, default);

        Assert.Equal(_accountId, byKey.Request.Caller().Account.Id);
        Assert.True(byAdmin.Request.IsAdmin());
    }
}
