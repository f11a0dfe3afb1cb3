using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using WaServerless.Core.Accounts;
using WaServerless.Core.Limits;
using WaServerless.Storage.Accounts;

namespace WaServerless.Connector.Sending;

/// <summary>
/// The per-recipient limits (gap, daily cap) of the key that accepted a message, as the API applied
/// them: the key's own gap or the default, the account plan's cap. Cached for a minute per key, so a
/// busy session does not read the account and key on every send; a plan change reaches the
/// connector within that minute.
/// </summary>
internal sealed class RecipientLimits(AccountStore accounts, ApiKeyStore keys, PlanCatalog plans, IOptions<LimitOptions> options, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string Account, string Key), (SendLimits? Limits, DateTimeOffset Until)> _cache = new();

    /// <summary>Null when the account is gone (nothing to enforce).</summary>
    public async Task<SendLimits?> ForAsync(string accountId, string keyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue((accountId, keyId), out var cached) && cached.Until > now)
        {
            return cached.Limits;
        }

        SendLimits? limits = null;
        if (await accounts.GetAsync(accountId, cancellationToken) is { } account)
        {
            // A plan configured on the Functions app but not here still gets a plan's default cap, not none.
            var plan = plans.Find(account.Plan) ?? new Plan();
            // A campaign's or a revoked key's messages still get the account's limits.
            var key = (await keys.ListAsync(accountId, cancellationToken)).FirstOrDefault(k => k.KeyId == keyId);
            limits = new SendLimits(
                account.MonthlyQuota,
                plan.SubmissionsPerMinute,
                key?.RecipientGap ?? options.Value.DefaultRecipientGap,
                plan.RecipientDailyCap,
                options.Value.OtpCooldown);
        }

        _cache[(accountId, keyId)] = (limits, now + CacheFor);
        return limits;
    }
}
