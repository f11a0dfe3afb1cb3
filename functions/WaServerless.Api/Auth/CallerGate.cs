using System.Globalization;
using Microsoft.AspNetCore.Http;
using WaServerless.Api.Bulk;
using WaServerless.Api.Http;
using WaServerless.Core.Accounts;
using WaServerless.Core.Errors;
using WaServerless.Storage.Accounts;

namespace WaServerless.Api.Auth;

/// <summary>Who may call a route: an account's key (or its OAuth2 token), the operator's admin credential, either, or anyone.</summary>
public enum RouteAccess
{
    Key,
    Admin,
    KeyOrAdmin,
    Public,

    /// <summary>A key as for <see cref="Key"/>, or in the apikey query parameter (SMSMobileAPI's surface only: query strings end up in logs).</summary>
    KeyOrQueryKey,

    /// <summary>SmartWats' access_token, in the query string or the body, or a key as for <see cref="Key"/>.</summary>
    KeyOrAccessToken,

    /// <summary>SMSGlobal's "Authorization: MAC id, ts, nonce, mac" (see <see cref="MacCredentialStore"/>), or a key as for <see cref="Key"/>.</summary>
    KeyOrMac,
}

/// <summary>
/// Caller authentication, in one place, run by both hosts before any API handler (the devhost's
/// endpoint filter, the Functions app's worker middleware): it finds the route's access in
/// <see cref="ApiEndpoints"/>, checks the credential, and leaves the caller on the request for the
/// handler (<see cref="CallerContext.Caller"/>). A body that may carry the key (the POST field
/// "apikey") is read first, through the same reader the handler then gets it from, so a malformed
/// body is still a 400 before any 401, as it always was.
/// </summary>
public sealed class CallerGate(ApiKeyAuthenticator keys, AdminAuthenticator admin, RequestFieldsReader fields, BulkRequestReader bulk, MacCredentialStore macs)
{
    public async Task PassAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (ApiEndpoints.Match(request.Method, request.Path) is not { } route)
        {
            return;
        }

        switch (ApiEndpoints.AccessOf(route))
        {
            case RouteAccess.Public:
                return;
            case RouteAccess.Admin:
            case RouteAccess.KeyOrAdmin when AdminAuthenticator.IsAdminRequest(request):
                admin.Authenticate(request);
                context.Items[CallerContext.AdminItem] = true;
                return;
            case RouteAccess.KeyOrQueryKey when request.Query["apikey"].ToString() is { Length: > 0 } queryKey:
                context.Items[CallerContext.CallerItem] = await keys.AuthenticateGivenAsync(queryKey, cancellationToken);
                return;
            case RouteAccess.KeyOrMac when request.Headers.Authorization.ToString() is { } header && header.StartsWith("MAC ", StringComparison.OrdinalIgnoreCase):
                context.Items[CallerContext.CallerItem] = await MacCallerAsync(context, header["MAC ".Length..], cancellationToken);
                return;
            case RouteAccess.KeyOrAccessToken:
                var given = request.Query["access_token"].ToString() is { Length: > 0 } inQuery
                    ? inQuery
                    : CarriesFields(request) && (await FieldsAsync(request, route, cancellationToken)).TryGetValue("access_token", out var inBody) && !string.IsNullOrWhiteSpace(inBody) ? inBody : null;
                context.Items[CallerContext.CallerItem] = given is not null
                    ? await keys.AuthenticateGivenAsync(given, cancellationToken)
                    : await keys.AuthenticateAsync(request, null, cancellationToken);
                return;
            default:
                var body = CarriesFields(request) ? await FieldsAsync(request, route, cancellationToken) : null;
                context.Items[CallerContext.CallerItem] = await keys.AuthenticateAsync(request, body, cancellationToken);
                return;
        }
    }

    /// <summary>The devhost's form: an endpoint filter of the API's route group, inside the error handling.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(next);
        var http = invocation.HttpContext;
        await ((CallerGate)http.RequestServices.GetService(typeof(CallerGate))!).PassAsync(http, http.RequestAborted);
        return await next(invocation);
    }

    private async Task<Caller> MacCallerAsync(HttpContext context, string header, CancellationToken cancellationToken)
    {
        var parts = MacHeader.Parse(header);
        if (parts is null)
        {
            throw Refused("The MAC header must give id, ts, nonce and mac, as in MAC id=\"key\", ts=\"1325376000\", nonce=\"random\", mac=\"base64\".");
        }

        var request = context.Request;
        var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw.StartsWith('/')
            ? raw
            : request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        var (verdict, caller) = await macs.VerifyAsync(parts.Value.Id, parts.Value.Ts, parts.Value.Nonce, parts.Value.Mac, request.Method, target, Origins(request), cancellationToken);
        return verdict switch
        {
            MacVerdict.Valid when caller is { Status: KeyAuthenticationStatus.Valid, Caller: { } found } => found,
            MacVerdict.Valid => throw Refused("The API key this MAC key acts as may not call the API (revoked, or its account suspended)."),
            MacVerdict.StaleTimestamp => throw Refused($"The MAC timestamp is more than {MacCredentialStore.Window.TotalMinutes} minutes from the server's clock.", "Sign with the current Unix time in seconds."),
            MacVerdict.ReplayedNonce => throw Refused("The MAC nonce was used before: every request needs a new one."),
            MacVerdict.BadSignature => throw Refused("The MAC signature does not match the request.", "Sign \"ts\\nnonce\\nMETHOD\\npath?query\\nhost\\nport\\n\\n\" with HMAC-SHA256 under the secret, base64."),
            _ => throw Refused("Unknown MAC key id."),
        };
    }

    /// <summary>
    /// The host and port a client may have signed. Behind Azure's front end TLS ends before the app,
    /// which then sees http and port 80 while the client signed https and 443: the front end's
    /// X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Port say what the client used.
    /// </summary>
    internal static IReadOnlyList<(string Host, int Port)> Origins(HttpRequest request)
    {
        var host = request.Host.Host;
        var origins = new List<(string Host, int Port)> { (host, request.Host.Port ?? (request.IsHttps ? 443 : 80)) };
        var forwardedHost = request.Headers["X-Forwarded-Host"].ToString().Split(',')[0].Trim();
        if (forwardedHost.Length > 0 && HostString.FromUriComponent(forwardedHost) is { Host.Length: > 0 } fh)
        {
            host = fh.Host;
            if (fh.Port is { } explicitPort)
            {
                origins.Add((host, explicitPort));
            }
        }

        if (int.TryParse(request.Headers["X-Forwarded-Port"].ToString().Split(',')[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var forwardedPort) && forwardedPort is > 0 and < 65536)
        {
            origins.Add((host, forwardedPort));
        }

        if (string.Equals(request.Headers["X-Forwarded-Proto"].ToString().Split(',')[0].Trim(), "https", StringComparison.OrdinalIgnoreCase))
        {
            origins.Add((host, 443));
        }

        return origins.Distinct().ToList();
    }

    private static ApiErrorException Refused(string message, string? hint = null) => new(new ApiError(401, ErrorCodes.InvalidKey, message, hint));

    // Only a POST, PUT or PATCH with a body can carry the key as a field; a GET's or DELETE's body is never read.
    private static bool CarriesFields(HttpRequest request) =>
        (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
        && (request.ContentLength > 0 || request.ContentType is { Length: > 0 } || request.Headers.TransferEncoding.Count > 0);

    private async Task<IReadOnlyDictionary<string, string>> FieldsAsync(HttpRequest request, (string Method, string Route) route, CancellationToken cancellationToken) =>
        route == ("POST", "bulk")
            ? (await bulk.ReadAsync(request, cancellationToken)).Fields
            : await fields.ReadAsync(request, cancellationToken);
}

/// <summary>What the gate found, for the handler.</summary>
public static class CallerContext
{
    internal const string CallerItem = "WaServerless.Caller";
    internal const string AdminItem = "WaServerless.Admin";

    /// <summary>The authenticated caller of a key route; throws when the gate did not run (a wiring error, never the client's).</summary>
    public static Caller Caller(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext.Items.TryGetValue(CallerItem, out var caller) && caller is Caller found
            ? found
            : throw new InvalidOperationException($"No caller on {request.Method} {request.Path}: the CallerGate did not run before the handler.");
    }

    /// <summary>Whether the gate let the request in on the admin credential.</summary>
    public static bool IsAdmin(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.HttpContext.Items.ContainsKey(AdminItem);
    }
}

/// <summary>The parts of "MAC id=\"…\", ts=\"…\", nonce=\"…\", mac=\"…\"" (after the scheme).</summary>
internal static class MacHeader
{
    public static (string Id, string Ts, string Nonce, string Mac)? Parse(string value)
    {
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var piece in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = piece.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return null;
            }

            parts[piece[..eq].Trim()] = piece[(eq + 1)..].Trim().Trim('"');
        }

        return parts.TryGetValue("id", out var id) && parts.TryGetValue("ts", out var ts) && parts.TryGetValue("nonce", out var nonce) && parts.TryGetValue("mac", out var mac)
            && id.Length > 0 && ts.Length > 0 && nonce.Length > 0 && mac.Length > 0
            ? (id, ts, nonce, mac)
            : null;
    }
}
