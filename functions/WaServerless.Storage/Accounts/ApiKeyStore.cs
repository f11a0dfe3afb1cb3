using System.Security.Cryptography;
using Azure.Data.Tables;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Accounts;

/// <summary>A key's stored form: never the key itself, only its salted hash and the non-secret lookup prefix.</summary>
public sealed record ApiKeyRecord(string KeyId, string AccountId, string Name, string LookupPrefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// API keys in the apikeys table, partitioned by lookup prefix so verifying a key reads one small
/// partition. A key is shown once, at creation.
/// </summary>
public sealed class ApiKeyStore(StorageClients clients, AccountStore accounts, TimeProvider time)
{
    private TableClient Table => clients.Table(TableNames.ApiKeys);

    /// <summary>Creates a key; the returned secret is the only copy there will ever be.</summary>
    public async Task<(ApiKeyRecord Record, string Secret)> CreateAsync(string accountId, string name, CancellationToken cancellationToken)
    {
        var secret = ApiKeyFormat.Generate();
        var salt = ApiKeyHasher.NewSalt();
        var record = new ApiKeyRecord(
            "key_" + RandomNumberGenerator.GetHexString(16, lowercase: true),
            accountId,
            name,
            ApiKeyFormat.LookupPrefix(secret),
            time.GetUtcNow(),
            null);
        var entity = new TableEntity(record.LookupPrefix, record.KeyId)
        {
            ["AccountId"] = accountId,
            ["Name"] = name,
            ["Salt"] = salt,
            ["Hash"] = ApiKeyHasher.Hash(secret, salt),
            ["CreatedAt"] = record.CreatedAt,
        };
        await Table.AddEntityAsync(entity, cancellationToken);
        return (record, secret);
    }

    /// <summary>The caller a key belongs to, or null when the key is malformed, unknown or revoked.</summary>
    public async Task<Caller?> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        if (!ApiKeyFormat.IsWellFormed(key))
        {
            return null;
        }

        var prefix = ApiKeyFormat.LookupPrefix(key);
        await foreach (var entity in Table.QueryAsync<TableEntity>(e => e.PartitionKey == prefix, cancellationToken: cancellationToken))
        {
            var salt = entity.GetBinary("Salt");
            var hash = entity.GetBinary("Hash");
            if (salt is null || hash is null || !ApiKeyHasher.Verify(key, salt, hash))
            {
                continue;
            }

            if (entity.GetDateTimeOffset("RevokedAt") is not null)
            {
                return null;
            }

            var account = await accounts.GetAsync(entity.GetString("AccountId") ?? string.Empty, cancellationToken);
            return account is null ? null : new Caller(entity.RowKey, account);
        }

        return null;
    }
}
