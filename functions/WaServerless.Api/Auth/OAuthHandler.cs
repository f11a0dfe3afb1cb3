using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;
using WaServerless.Core.Text;
using WaServerless.Storage.Accounts;

namespace WaServerless.Api.Auth;

/// <summary>
/// OAuth2 client credentials (RFC 6749 section 4.4): a key holder creates clients for its account
/// (POST/GET/DELETE /api/oauth2/clients); a client trades its id and secret, in the form body or
/// by HTTP Basic, for a short-lived bearer token (POST /api/oauth2/token) accepted wherever an API
/// key is. The token endpoint answers in RFC 6749's own shapes, errors included.
/// </summary>
public sealed partial class OAuthHandler(
    RequestFieldsReader reader,
    OAuthClientStore clients,
    IOptions<ApiOptions> options,
    ILogger<OAuthHandler> logger)
{
    private const string GrantType = "client_credentials";

    private static readonly Dictionary<string, string> NoStore = new() { ["Cache-Control"] = "no-store", ["Pragma"] = "no-cache" };

    /// <summary>POST /api/oauth2/token.</summary>
    public async Task<IActionResult> TokenAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        IReadOnlyDictionary<string, string> fields;
        try
        {
            fields = await reader.ReadAsync(request, cancellationToken);
        }
        catch (ApiErrorException e)
        {
            return Refuse(400, "invalid_request", e.Error.Message);
        }

        var grant = Field(fields, "grant_type");
        if (grant is null)
        {
            return Refuse(400, "invalid_request", "grant_type is required; this server issues client_credentials grants.");
        }

        if (grant != GrantType)
        {
            return Refuse(400, "unsupported_grant_type", $"Only grant_type=client_credentials is supported, not '{Clip.Preview(grant)}'.");
        }

        var basic = request.Headers.Authorization.ToString();
        var formId = Field(fields, "client_id");
        var formSecret = Field(fields, "client_secret");
        string? clientId;
        string? clientSecret;
        if (basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            if (formSecret is not null)
            {
                return Refuse(400, "invalid_request", "Authenticate the client one way: HTTP Basic or client_secret in the body, not both.");
            }

            (clientId, clientSecret) = ParseBasic(basic["Basic ".Length..]);
            if (clientId is null || (formId is not null && formId != clientId))
            {
                return Refuse(401, "invalid_client", "The HTTP Basic credentials are not client_id:client_secret in base64.");
            }
        }
        else
        {
            (clientId, clientSecret) = (formId, formSecret);
        }

        if (clientId is null || clientSecret is null)
        {
            return Refuse(401, "invalid_client", "Client authentication is required: client_id and client_secret in the form body, or HTTP Basic.");
        }

        var lifetime = options.Value.TokenLifetime;
        var issued = await clients.IssueTokenAsync(clientId, clientSecret, lifetime, cancellationToken);
        switch (issued.Status)
        {
            case TokenIssueStatus.Issued:
                LogIssued(logger, clientId);
                return new JsonApiResult(StatusCodes.Status200OK, new TokenResponse(issued.AccessToken!, "Bearer", (int)lifetime.TotalSeconds), NoStore);
            case TokenIssueStatus.UnauthorizedClient:
                return Refuse(400, "unauthorized_client", issued.CallerStatus switch
                {
                    KeyAuthenticationStatus.Revoked => "The API key this client acts as has been revoked.",
                    KeyAuthenticationStatus.AccountSuspended => "The account is suspended.",
                    KeyAuthenticationStatus.SubscriptionExpired => "The account's trial has ended.",
                    _ => "This client may not call the API.",
                });
            default:
                LogRefused(logger, Clip.Preview(clientId));
                return Refuse(401, "invalid_client", "Unknown client, wrong secret, or a revoked client.");
        }
    }

    /// <summary>POST /api/oauth2/clients: a new client of the caller's account, acting as the caller's key; its secret is shown once.</summary>
    public async Task<IActionResult> CreateClientAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = await reader.ReadAsync(request, cancellationToken);
        var caller = request.Caller();
        foreach (var name in fields.Keys)
        {
            if (name is not ("name" or "apikey"))
            {
                throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.UnknownField, $"Unknown field '{Clip.Preview(name)}'.", "A client has a name only: {\"name\": \"billing service\"}."));
            }
        }

        var clientName = Field(fields, "name") ?? "oauth client";
        if (clientName.Length > 100 || clientName.Any(char.IsControl))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, "name is 1 to 100 printable characters."));
        }

        var (record, secret) = await clients.CreateAsync(caller.Account.Id, caller.Key.KeyId, clientName, cancellationToken);
        LogCreated(logger, record.ClientId, record.AccountId);
        return new JsonApiResult(
            StatusCodes.Status201Created,
            new DataResponse<CreatedClientView>(true, new CreatedClientView(record.ClientId, secret, ClientView.From(record), "Store this secret now: it is shown only once.")),
            NoStore);
    }

    /// <summary>GET /api/oauth2/clients: the account's clients, never their secrets.</summary>
    public async Task<IActionResult> ListClientsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var list = await clients.ListAsync(caller.Account.Id, cancellationToken);
        return ApiResults.Ok(list.OrderBy(c => c.CreatedAt).Select(ClientView.From).ToList());
    }

    /// <summary>DELETE /api/oauth2/clients/{clientId}: its secret and every token issued for it stop working.</summary>
    public async Task<IActionResult> RevokeClientAsync(HttpRequest request, string clientId, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var revoked = await clients.RevokeAsync(caller.Account.Id, clientId, cancellationToken)
            ?? throw new ApiErrorException(new ApiError(404, ErrorCodes.OAuthClientNotFound, $"No OAuth2 client '{Clip.Preview(clientId)}' in this account."));
        LogRevoked(logger, revoked.ClientId, revoked.AccountId);
        return ApiResults.Ok(ClientView.From(revoked));
    }

    /// <summary>RFC 6749 section 5.2's error body (error, error_description) with this API's error_code beside it; 401s challenge for Basic.</summary>
    private static JsonApiResult Refuse(int status, string error, string description)
    {
        var headers = new Dictionary<string, string>(NoStore);
        if (status == 401)
        {
            headers["WWW-Authenticate"] = "Basic realm=\"WaServerless\", charset=\"UTF-8\"";
        }

        return new JsonApiResult(status, new OAuthErrorResponse(error, description, error.ToUpperInvariant()), headers);
    }

    /// <summary>RFC 6749 section 2.3.1: base64 of the form-encoded id, a colon, the form-encoded secret.</summary>
    private static (string? Id, string? Secret) ParseBasic(string encoded)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded.Trim()));
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            return colon <= 0 ? (null, null) : (Uri.UnescapeDataString(text[..colon].Replace('+', ' ')), Uri.UnescapeDataString(text[(colon + 1)..].Replace('+', ' ')));
        }
        catch (FormatException)
        {
            return (null, null);
        }
    }

    private static string? Field(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    [LoggerMessage(LogLevel.Information, "OAuth2 token issued to client {ClientId}")]
    private static partial void LogIssued(ILogger logger, string clientId);

    [LoggerMessage(LogLevel.Warning, "OAuth2 token refused to client {ClientId}: invalid_client")]
    private static partial void LogRefused(ILogger logger, string clientId);

    [LoggerMessage(LogLevel.Information, "OAuth2 client {ClientId} created for account {AccountId}")]
    private static partial void LogCreated(ILogger logger, string clientId, string accountId);

    [LoggerMessage(LogLevel.Information, "OAuth2 client {ClientId} of account {AccountId} revoked")]
    private static partial void LogRevoked(ILogger logger, string clientId, string accountId);
}

/// <summary>RFC 6749 section 5.1.</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

/// <summary>RFC 6749 section 5.2, with this API's error_code.</summary>
public sealed record OAuthErrorResponse(string Error, string ErrorDescription, string ErrorCode);

public sealed record ClientView(string ClientId, string Name, string KeyId, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, bool Active)
{
    public static ClientView From(OAuthClientRecord c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.ClientId, c.Name, c.KeyId, c.CreatedAt, c.RevokedAt, c.RevokedAt is null);
    }
}

public sealed record CreatedClientView(string ClientId, string ClientSecret, ClientView Client, string Note);
