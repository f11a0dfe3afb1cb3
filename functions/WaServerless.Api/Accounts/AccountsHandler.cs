using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Accounts;
using WaServerless.Core.Errors;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Accounts;

/// <summary>
/// Accounts and keys. The operator (X-Admin-Key) creates, lists and suspends accounts and manages
/// any account's keys; an account's key holder lists, creates and revokes its own account's keys
/// and never sees another's (another account's key id answers 404, as if it did not exist).
/// </summary>
public sealed partial class AccountsHandler(
    RequestFieldsReader reader,
    AccountStore accounts,
    ApiKeyStore keys,
    PlanCatalog plans,
    SessionStore sessions,
    IOptions<AccountOptions> accountOptions,
    TimeProvider time,
    ILogger<AccountsHandler> logger)
{
    public async Task<IActionResult> CreateAccountAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = await reader.ReadAsync(request, cancellationToken);
        var name = Required(fields, "name", 100);
        var planName = Optional(fields, "plan") ?? accountOptions.Value.DefaultPlan;
        var plan = plans.Find(planName)
            ?? throw Invalid(ErrorCodes.InvalidPlan, $"Unknown plan '{planName}'.", "One of: " + string.Join(", ", plans.Names) + ".");
        var quota = Number(fields, "monthly_quota", 1, long.MaxValue) ?? plan.MonthlyQuota;
        var trialDays = Number(fields, "trial_days", 1, 365);
        var trialEnds = trialDays is { } days ? time.GetUtcNow().AddDays(days) : (DateTimeOffset?)null;

        var account = await accounts.CreateAsync(name, plan.Name, quota, trialEnds, null, cancellationToken);
        await sessions.CreateAsync(account.Id, account.DefaultSessionId, "default", cancellationToken);
        LogAccountCreated(logger, account.Id, plan.Name);
        return new JsonApiResult(StatusCodes.Status201Created, new DataResponse<AccountView>(true, AccountView.From(account)));
    }

    public async Task<IActionResult> ListAccountsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var all = await accounts.ListAsync(cancellationToken);
        return ApiResults.Ok(all.Select(AccountView.From).ToList());
    }

    public async Task<IActionResult> SetAccountStatusAsync(HttpRequest request, string accountId, AccountStatus status, CancellationToken cancellationToken)
    {
        var account = await accounts.SetStatusAsync(accountId, status, cancellationToken) ?? throw AccountNotFound(accountId);
        LogAccountStatus(logger, account.Id, status);
        return ApiResults.Ok(AccountView.From(account));
    }

    /// <summary>POST /api/accounts/{id}/keys (admin) and POST /api/keys (the caller's own account).</summary>
    public async Task<IActionResult> CreateKeyAsync(HttpRequest request, string? accountId, CancellationToken cancellationToken)
    {
        var fields = await reader.ReadAsync(request, cancellationToken);
        var owner = await OwnerAsync(request, accountId, cancellationToken);
        var name = Optional(fields, "name") ?? "api key";
        if (name.Length > 100)
        {
            throw Invalid(ErrorCodes.InvalidField, "name is longer than 100 characters.");
        }

        var gap = Number(fields, "recipient_gap_seconds", 0, 600);
        var (record, secret) = await keys.CreateAsync(owner, name, gap is { } s ? TimeSpan.FromSeconds(s) : null, cancellationToken);
        LogKeyCreated(logger, record.KeyId, owner);
        return new JsonApiResult(StatusCodes.Status201Created, new DataResponse<CreatedKeyView>(true, new CreatedKeyView(secret, KeyView.From(record), "Store this key now: it is shown only once.")));
    }

    /// <summary>GET /api/accounts/{id}/keys (admin) and GET /api/keys (own account). Never returns secrets.</summary>
    public async Task<IActionResult> ListKeysAsync(HttpRequest request, string? accountId, CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(request, accountId, cancellationToken);
        var list = await keys.ListAsync(owner, cancellationToken);
        return ApiResults.Ok(list.OrderBy(k => k.CreatedAt).Select(KeyView.From).ToList());
    }

    /// <summary>DELETE /api/keys/{keyId}: the admin may revoke any key, a key holder only its own account's.</summary>
    public async Task<IActionResult> RevokeKeyAsync(HttpRequest request, string keyId, CancellationToken cancellationToken)
    {
        // The gate let the admin in for any account, a key holder for its own only.
        var scope = request.IsAdmin() ? null : request.Caller().Account.Id;

        var revoked = await keys.RevokeAsync(keyId, scope, cancellationToken)
            ?? throw new ApiErrorException(new ApiError(404, ErrorCodes.KeyNotFound, $"No key '{keyId}'."));
        LogKeyRevoked(logger, revoked.KeyId, revoked.AccountId);
        return ApiResults.Ok(KeyView.From(revoked));
    }

    private async Task<string> OwnerAsync(HttpRequest request, string? accountId, CancellationToken cancellationToken)
    {
        // The admin's routes name the account (the gate checked the admin credential); a key holder's is its own.
        if (accountId is not null)
        {
            return (await accounts.GetAsync(accountId, cancellationToken) ?? throw AccountNotFound(accountId)).Id;
        }

        return request.Caller().Account.Id;
    }

    private static string Required(IReadOnlyDictionary<string, string> fields, string name, int maxLength)
    {
        var value = Optional(fields, name) ?? throw Invalid(ErrorCodes.InvalidField, $"'{name}' is required.");
        return value.Length <= maxLength ? value : throw Invalid(ErrorCodes.InvalidField, $"'{name}' is longer than {maxLength} characters.");
    }

    private static string? Optional(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static long? Number(IReadOnlyDictionary<string, string> fields, string name, long min, long max)
    {
        var text = Optional(fields, name);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Invalid(ErrorCodes.InvalidField, $"'{name}' must be a whole number from {min} to {max}.");
    }

    private static ApiErrorException Invalid(string code, string message, string? hint = null) => new(ApiError.BadRequest(code, message, hint));

    private static ApiErrorException AccountNotFound(string id) => new(new ApiError(404, ErrorCodes.AccountNotFound, $"No account '{id}'."));

    [LoggerMessage(LogLevel.Information, "Account {AccountId} created on plan {Plan}")]
    private static partial void LogAccountCreated(ILogger logger, string accountId, string plan);

    [LoggerMessage(LogLevel.Information, "Account {AccountId} is now {Status}")]
    private static partial void LogAccountStatus(ILogger logger, string accountId, AccountStatus status);

    [LoggerMessage(LogLevel.Information, "Key {KeyId} created for account {AccountId}")]
    private static partial void LogKeyCreated(ILogger logger, string keyId, string accountId);

    [LoggerMessage(LogLevel.Information, "Key {KeyId} of account {AccountId} revoked")]
    private static partial void LogKeyRevoked(ILogger logger, string keyId, string accountId);
}

public sealed record AccountView(string Id, string Name, string Status, string Plan, long MonthlyQuota, DateTimeOffset CreatedAt, DateTimeOffset? TrialEndsAt)
{
    public static AccountView From(Account a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.Id, a.Name, a.Status.ToString().ToLowerInvariant(), a.Plan, a.MonthlyQuota, a.CreatedAt, a.TrialEndsAt);
    }
}

public sealed record KeyView(string KeyId, string AccountId, string Name, string Prefix, string Status, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, int? RecipientGapSeconds)
{
    public static KeyView From(ApiKeyRecord k)
    {
        ArgumentNullException.ThrowIfNull(k);
        return new(k.KeyId, k.AccountId, k.Name, k.LookupPrefix, k.RevokedAt is null ? "active" : "revoked", k.CreatedAt, k.RevokedAt, k.RecipientGap is { } g ? (int)g.TotalSeconds : null);
    }
}

public sealed record CreatedKeyView(string Key, KeyView Details, string Note);
