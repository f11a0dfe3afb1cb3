using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Accounts;

public enum KeyAuthenticationStatus
{
    Valid,
    Unknown,
    Revoked,
    AccountSuspended,
    SubscriptionExpired,

    /// <summary>An OAuth2 access token past its expiry.</summary>
    Expired,
}

public sealed record KeyAuthentication(KeyAuthenticationStatus Status, Caller? Caller);

/// <summary>
/// API keys. The apikeys table holds each key's record and salted hash under its account
/// (PartitionKey account id, RowKey key id), so an account's keys list and revoke in one partition;
/// apikeylookup maps the non-secret lookup prefix to candidates, so verifying a key reads one small
/// partition. The send path may ask for an answer remembered for a few seconds (see the overload
/// with maxAge); everything else reads storage, so a revocation is seen at once by the instance that
/// made it.
/// </summary>
public sealed class ApiKeyStore(StorageClients clients, AccountStore accounts, TimeProvider time)
{
    private TableClient Keys => clients.Table(TableNames.ApiKeys);

    private TableClient Lookup => clients.Table(TableNames.ApiKeyLookup);

    /// <summary>Creates a key; the returned secret is the only copy there will ever be.</summary>
    public async Task<(ApiKeyRecord Record, string Secret)> CreateAsync(string accountId, string name, TimeSpan? recipientGap, CancellationToken cancellationToken)
    {
        var secret = ApiKeyFormat.Generate();
        var salt = ApiKeyHasher.NewSalt();
        var record = new ApiKeyRecord(
            "key_" + RandomNumberGenerator.GetHexString(16, lowercase: true),
            accountId,
            name,
            ApiKeyFormat.LookupPrefix(secret),
            time.GetUtcNow(),
            null,
            recipientGap);
        var entity = new TableEntity(accountId, record.KeyId)
        {
            ["Name"] = name,
            ["LookupPrefix"] = record.LookupPrefix,
            ["Salt"] = salt,
            ["Hash"] = ApiKeyHasher.Hash(secret, salt),
            ["CreatedAt"] = record.CreatedAt,
            ["RecipientGapSeconds"] = recipientGap is { } gap ? (int)gap.TotalSeconds : null,
        };
        await Keys.AddEntityAsync(entity, cancellationToken);
        await Lookup.AddEntityAsync(new TableEntity(record.LookupPrefix, record.KeyId) { ["AccountId"] = accountId }, cancellationToken);
        return (record, secret);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var keys = new List<ApiKeyRecord>();
        await foreach (var entity in Keys.QueryAsync<TableEntity>(e => e.PartitionKey == accountId, cancellationToken: cancellationToken))
        {
            keys.Add(FromEntity(entity));
        }

        return keys;
    }

    /// <summary>Revokes a key of the given account (any account when null). Returns the record, or null when there is no such key.</summary>
    public async Task<ApiKeyRecord?> RevokeAsync(string keyId, string? accountId, CancellationToken cancellationToken)
    {
        var owner = accountId ?? await FindAccountOfAsync(keyId, cancellationToken);
        if (owner is null)
        {
            return null;
        }

        var existing = await Keys.GetEntityIfExistsAsync<TableEntity>(owner, keyId, cancellationToken: cancellationToken);
        if (!existing.HasValue)
        {
            return null;
        }

        var entity = existing.Value!;
        if (entity.GetDateTimeOffset("RevokedAt") is null)
        {
            entity["RevokedAt"] = time.GetUtcNow();
            await Keys.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
            Interlocked.Increment(ref _writes);
        }

        return FromEntity(entity);
    }

    /// <summary>
    /// As <see cref="AuthenticateAsync(string, CancellationToken)"/>, answered from memory when this
    /// instance found the same key valid less than <paramref name="maxAge"/> ago and has changed no key
    /// or account since: the send path's lookup is then no storage round trip. A key revoked or an
    /// account suspended through another instance keeps working here for at most <paramref name="maxAge"/>.
    /// The cache holds a hash of the key, never the key.
    /// </summary>
    public async Task<KeyAuthentication> AuthenticateAsync(string key, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        if (maxAge <= TimeSpan.Zero || !ApiKeyFormat.IsWellFormed(key))
        {
            return await AuthenticateAsync(key, cancellationToken);
        }

        var now = time.GetUtcNow();
        var id = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        var writes = Writes;
        if (_recent.TryGetValue(id, out var cached) && cached.Until > now && cached.Writes == writes
            && (cached.Result.Caller!.Account.TrialEndsAt is not { } end || end > now))
        {
            return cached.Result;
        }

        var result = await AuthenticateAsync(key, cancellationToken);
        if (result.Status == KeyAuthenticationStatus.Valid)
        {
            if (_recent.Count >= MaxRecent)
            {
                _recent.Clear();
            }

            _recent[id] = (result, now + maxAge, writes);
        }
        else
        {
            _recent.TryRemove(id, out _);
        }

        return result;
    }

    private const int MaxRecent = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (KeyAuthentication Result, DateTimeOffset Until, long Writes)> _recent = new(StringComparer.Ordinal);

    private long _writes;

    /// <summary>Changes to keys and accounts made through this instance: any of them makes the remembered answers stale.</summary>
    private long Writes => Interlocked.Read(ref _writes) + accounts.Writes;

    public async Task<KeyAuthentication> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsWellFormed(key))
        {
            return new KeyAuthentication(KeyAuthenticationStatus.Unknown, null);
        }

        var prefix = ApiKeyFormat.LookupPrefix(key);
        await foreach (var candidate in Lookup.QueryAsync<TableEntity>(e => e.PartitionKey == prefix, cancellationToken: cancellationToken))
        {
            var accountId = candidate.GetString("AccountId") ?? string.Empty;
            var row = await Keys.GetEntityIfExistsAsync<TableEntity>(accountId, candidate.RowKey, cancellationToken: cancellationToken);
            if (!row.HasValue)
            {
                continue;
            }

            var entity = row.Value!;
            var salt = entity.GetBinary("Salt");
            var hash = entity.GetBinary("Hash");
            if (salt is null || hash is null || !ApiKeyHasher.Verify(key, salt, hash))
            {
                continue;
            }

            return await CallerOfAsync(entity, cancellationToken);
        }

        return new KeyAuthentication(KeyAuthenticationStatus.Unknown, null);
    }

    /// <summary>The caller that key <paramref name="keyId"/> of <paramref name="accountId"/> stands for, as its own authentication would find it (an OAuth2 client acts as the key that created it).</summary>
    public async Task<KeyAuthentication> CallerOfAsync(string accountId, string keyId, CancellationToken cancellationToken)
    {
        var row = await Keys.GetEntityIfExistsAsync<TableEntity>(accountId, keyId, cancellationToken: cancellationToken);
        return row.HasValue
            ? await CallerOfAsync(row.Value!, cancellationToken)
            : new KeyAuthentication(KeyAuthenticationStatus.Unknown, null);
    }

    private async Task<KeyAuthentication> CallerOfAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        var record = FromEntity(entity);
        if (record.RevokedAt is not null)
        {
            return new KeyAuthentication(KeyAuthenticationStatus.Revoked, null);
        }

        var account = await accounts.GetAsync(record.AccountId, cancellationToken);
        if (account is null)
        {
            return new KeyAuthentication(KeyAuthenticationStatus.Unknown, null);
        }

        var caller = new Caller(record, account);
        if (account.Status == AccountStatus.Suspended)
        {
            return new KeyAuthentication(KeyAuthenticationStatus.AccountSuspended, caller);
        }

        return account.TrialEndsAt is { } end && end <= time.GetUtcNow()
            ? new KeyAuthentication(KeyAuthenticationStatus.SubscriptionExpired, caller)
            : new KeyAuthentication(KeyAuthenticationStatus.Valid, caller);
    }

    private async Task<string?> FindAccountOfAsync(string keyId, CancellationToken cancellationToken)
    {
        await foreach (var row in Keys.QueryAsync<TableEntity>(e => e.RowKey == keyId, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            return row.PartitionKey;
        }

        return null;
    }

    private static ApiKeyRecord FromEntity(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey,
        e.GetString("Name") ?? string.Empty,
        e.GetString("LookupPrefix") ?? string.Empty,
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("RevokedAt"),
        e.GetInt32("RecipientGapSeconds") is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
}
