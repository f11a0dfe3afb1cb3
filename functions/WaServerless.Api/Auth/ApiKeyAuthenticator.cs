using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using WaServerless.Api.Http;
using WaServerless.Core.Accounts;
using WaServerless.Core.Errors;
using WaServerless.Storage.Accounts;

namespace WaServerless.Api.Auth;

/// <summary>
/// Finds the caller's API key in the one order the API documents: the POST field "apikey", else the
/// X-API-Key header, else "Authorization: Bearer". Keys in the query string or under other field
/// names are refused outright: URLs end up in logs, and a silently ignored key is a confusing 401.
/// </summary>
/// <remarks>An OAuth2 access token (wat_…) is accepted in each of those places, as the key of the client it was issued to.</remarks>
public sealed class ApiKeyAuthenticator(ApiKeyStore keys, OAuthClientStore oauth, IOptions<ApiOptions> options)
{
    public const string AcceptedForms = "Send the key in the POST field 'apikey', the header 'X-API-Key', or 'Authorization: Bearer <key>'.";

    private static readonly string[] RefusedNames = ["apikey", "api_key", "key", "token", "api-key", "access_token"];
    private static readonly string[] RefusedFieldNames = ["api_key", "key", "token", "api-key", "access_token"];

    public async Task<Caller> AuthenticateAsync(HttpRequest request, IReadOnlyDictionary<string, string>? fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var name in RefusedNames)
        {
            if (request.Query.ContainsKey(name))
            {
                throw new ApiErrorException(ApiError.Unauthorized($"API keys are not accepted in the query string ('{name}'): URLs are logged.", AcceptedForms));
            }
        }

        if (fields is not null)
        {
            foreach (var name in RefusedFieldNames)
            {
                if (fields.ContainsKey(name))
                {
                    throw new ApiErrorException(ApiError.Unauthorized($"Field '{name}' is not an accepted place for the API key.", AcceptedForms));
                }
            }
        }

        var key = FindKey(request, fields)
            ?? throw new ApiErrorException(ApiError.Unauthorized("No API key was given.", AcceptedForms));
        return await AuthenticateGivenAsync(key, cancellationToken);
    }

    /// <summary>
    /// A credential a surface found where its API puts it (SMSMobileAPI's apikey query parameter): an
    /// API key or an OAuth2 access token, checked as any other.
    /// </summary>
    public async Task<Caller> AuthenticateGivenAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        key = key.Trim();
        if (OAuthFormat.IsToken(key))
        {
            var token = await oauth.AuthenticateTokenAsync(key, options.Value.CallerCacheDuration, cancellationToken);
            switch (token.Status)
            {
                case KeyAuthenticationStatus.Expired:
                    throw new ApiErrorException(new ApiError(401, ErrorCodes.TokenExpired, "The access token has expired.", "Ask POST /api/oauth2/token for a new one with the client's credentials."));
                case KeyAuthenticationStatus.Unknown:
                    throw new ApiErrorException(new ApiError(401, ErrorCodes.InvalidToken, "The access token is not valid, or its client was revoked.", "Ask POST /api/oauth2/token for a new one with the client's credentials."));
                default:
                    return CallerOf(token, key);
            }
        }

        return CallerOf(await keys.AuthenticateAsync(key, options.Value.CallerCacheDuration, cancellationToken), key);
    }

    private static Caller CallerOf(KeyAuthentication result, string key) =>
        result.Status switch
        {
            KeyAuthenticationStatus.Valid => result.Caller!,
            KeyAuthenticationStatus.Revoked => throw new ApiErrorException(new ApiError(403, ErrorCodes.KeyInactive, "This API key has been revoked.", "Create a new key, or ask the account's administrator for one.")),
            KeyAuthenticationStatus.AccountSuspended => throw new ApiErrorException(new ApiError(403, ErrorCodes.AccountSuspended, "The account is suspended.")),
            KeyAuthenticationStatus.SubscriptionExpired => throw new ApiErrorException(new ApiError(402, ErrorCodes.SubscriptionExpired, "The account's trial has ended.", "Choose a plan to continue sending.")),
            _ => throw new ApiErrorException(ApiError.Unauthorized("The API key is not valid.", ApiKeyFormat.IsWellFormed(key) ? null : "Keys look like SM- followed by 32 letters and digits; check it was copied whole.")),
        };

    private static string? FindKey(HttpRequest request, IReadOnlyDictionary<string, string>? fields)
    {
        if (fields is not null && fields.TryGetValue("apikey", out var fromField) && !string.IsNullOrWhiteSpace(fromField))
        {
            return fromField.Trim();
        }

        var header = request.Headers["X-API-Key"].ToString();
        if (!string.IsNullOrWhiteSpace(header))
        {
            return header.Trim();
        }

        var authorization = request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase))
        {
            var token = authorization[bearer.Length..].Trim();
            return token.Length > 0 ? token : null;
        }

        return null;
    }
}
