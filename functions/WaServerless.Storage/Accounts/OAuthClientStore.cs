using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Accounts;

/// <summary>An OAuth2 client of an account: it acts as the API key that created it.</summary>
public sealed record OAuthClientRecord(string ClientId, string AccountId, string KeyId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public enum TokenIssueStatus
{
    Issued,

    /// <summary>No such client, a wrong secret, or a revoked client: RFC 6749's invalid_client.</summary>
    InvalidClient,

    /// <summary>The client is fine but its key or account may not call the API (revoked, suspended, trial over): unauthorized_client.</summary>
    UnauthorizedClient,
}

public sealed record TokenIssue(TokenIssueStatus Status, string? AccessToken, DateTimeOffset? ExpiresAt, KeyAuthenticationStatus CallerStatus = KeyAuthenticationStatus.Valid);

/// <summary>
/// OAuth2 client credentials and the bearer tokens issued for them. oauthclients holds each client
/// under its account (PartitionKey account, RowKey client id) with its secret's salted hash;
/// oauthclientlookup finds a client's account from its id; oauthtokens holds each token's SHA-256
/// (PartitionKey) with its client, key and expiry. Tokens past their expiry are refused, and deleted
/// when next presented.
/// </summary>
public sealed class OAuthClientStore(StorageClients clients, ApiKeyStore keys, TimeProvider time)
{
    private const int MaxRecent = 10_000;

    private readonly ConcurrentDictionary<string, (KeyAuthentication Result, DateTimeOffset Until)> _recent = new(StringComparer.Ordinal);

    private TableClient Clients => clients.Table(TableNames.OAuthClients);

    private TableClient Lookup => clients.Table(TableNames.OAuthClientLookup);

    private TableClient Tokens => clients.Table(TableNames.OAuthTokens);

    /// <summary>Creates a client acting as key <paramref name="keyId"/>; the returned secret is the only copy there will ever be.</summary>
    public async Task<(OAuthClientRecord Record, string Secret)> CreateAsync(string accountId, string keyId, string name, CancellationToken cancellationToken)
    {
        var secret = OAuthFormat.NewClientSecret();
        var salt = ApiKeyHasher.NewSalt();
        var record = new OAuthClientRecord(OAuthFormat.NewClientId(), accountId, keyId, name, time.GetUtcNow(), null);
        await Clients.AddEntityAsync(
            new TableEntity(accountId, record.ClientId)
            {
                ["KeyId"] = keyId,
                ["Name"] = name,
                ["Salt"] = salt,
                ["Hash"] = ApiKeyHasher.Hash(secret, salt),
                ["CreatedAt"] = record.CreatedAt,
            },
            cancellationToken);
        await Lookup.AddEntityAsync(new TableEntity(record.ClientId, string.Empty) { ["AccountId"] = accountId }, cancellationToken);
        return (record, secret);
    }

    public async Task<IReadOnlyList<OAuthClientRecord>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var list = new List<OAuthClientRecord>();
        await foreach (var entity in Clients.QueryAsync<TableEntity>(e => e.PartitionKey == accountId, cancellationToken: cancellationToken))
        {
            list.Add(FromEntity(entity));
        }

        return list;
    }

    /// <summary>Revokes a client of the account: its secret and every token issued for it stop working. Null when the account has no such client.</summary>
    public async Task<OAuthClientRecord?> RevokeAsync(string accountId, string clientId, CancellationToken cancellationToken)
    {
        if (!OAuthFormat.IsClientId(clientId))
        {
            return null;
        }

        var existing = await Clients.GetEntityIfExistsAsync<TableEntity>(accountId, clientId, cancellationToken: cancellationToken);
        if (!existing.HasValue)
        {
            return null;
        }

        var entity = existing.Value!;
        if (entity.GetDateTimeOffset("RevokedAt") is null)
        {
            entity["RevokedAt"] = time.GetUtcNow();
            await Clients.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }

        // Tokens remembered here are not found by client: forget them all (other instances within their cache age).
        _recent.Clear();
        return FromEntity(entity);
    }

    /// <summary>The client credentials grant: checks the secret in constant time and issues a token valid for <paramref name="lifetime"/>.</summary>
    public async Task<TokenIssue> IssueTokenAsync(string clientId, string clientSecret, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var invalid = new TokenIssue(TokenIssueStatus.InvalidClient, null, null);
        if (!OAuthFormat.IsClientId(clientId) || !OAuthFormat.IsClientSecret(clientSecret))
        {
            return invalid;
        }

        var lookup = await Lookup.GetEntityIfExistsAsync<TableEntity>(clientId, string.Empty, cancellationToken: cancellationToken);
        if (!lookup.HasValue || lookup.Value!.GetString("AccountId") is not { } accountId)
        {
            return invalid;
        }

        var row = await Clients.GetEntityIfExistsAsync<TableEntity>(accountId, clientId, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return invalid;
        }

        var entity = row.Value!;
        var salt = entity.GetBinary("Salt");
        var hash = entity.GetBinary("Hash");
        if (salt is null || hash is null || !ApiKeyHasher.Verify(clientSecret, salt, hash) || entity.GetDateTimeOffset("RevokedAt") is not null)
        {
            return invalid;
        }

        var client = FromEntity(entity);
        var caller = await keys.CallerOfAsync(accountId, client.KeyId, cancellationToken);
        if (caller.Status != KeyAuthenticationStatus.Valid)
        {
            return new TokenIssue(TokenIssueStatus.UnauthorizedClient, null, null, caller.Status);
        }

        var token = OAuthFormat.NewToken();
        var expiresAt = time.GetUtcNow() + lifetime;
        await Tokens.AddEntityAsync(
            new TableEntity(OAuthFormat.TokenId(token), string.Empty)
            {
                ["AccountId"] = accountId,
                ["ClientId"] = clientId,
                ["KeyId"] = client.KeyId,
                ["ExpiresAt"] = expiresAt,
            },
            cancellationToken);
        return new TokenIssue(TokenIssueStatus.Issued, token, expiresAt);
    }

    /// <summary>
    /// The caller a bearer token stands for: Unknown for no such token or a revoked client, Expired
    /// past its expiry, else as its key's own authentication. A valid answer may be remembered for
    /// <paramref name="maxAge"/> (never past the token's expiry), as keys are on the send path.
    /// </summary>
    public async Task<KeyAuthentication> AuthenticateTokenAsync(string token, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        if (!OAuthFormat.IsToken(token))
        {
            return new KeyAuthentication(KeyAuthenticationStatus.Unknown, null);
        }

        var id = OAuthFormat.TokenId(token);
        var now = time.GetUtcNow();
        if (_recent.TryGetValue(id, out var cached) && cached.Until > now)
        {
            return cached.Result;
        }

        var row = await Tokens.GetEntityIfExistsAsync<TableEntity>(id, string.Empty, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return new KeyAuthentication(KeyAuthenticationStatus.Unknown, null);
        }

        var entity = row.Value!;
        var expiresAt = entity.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue;
        if (expiresAt <= now)
        {
            _recent.TryRemove(id, out _);
            await Tokens.DeleteEntityAsync(id, string.Empty, ETag.All, cancellationToken);
            return new KeyAuthentication(KeyAuthenticationStatus.Expired, null);
        }

        var accountId = entity.GetString("AccountId") ?? string.Empty;
        var client = await Clients.GetEntityIfExistsAsync<TableEntity>(accountId, entity.GetString("ClientId") ?? string.Empty, cancellationToken: cancellationToken);
        if (!client.HasValue || client.Value!.GetDateTimeOffset("RevokedAt") is not null)
        {
            return new KeyAuthentication(KeyAuthenticationStatus.Unknown, null);
        }

        var result = await keys.CallerOfAsync(accountId, entity.GetString("KeyId") ?? string.Empty, cancellationToken);
        if (result.Status == KeyAuthenticationStatus.Valid && maxAge > TimeSpan.Zero)
        {
            if (_recent.Count >= MaxRecent)
            {
                _recent.Clear();
            }

            _recent[id] = (result, now + maxAge < expiresAt ? now + maxAge : expiresAt);
        }

        return result;
    }

    private static OAuthClientRecord FromEntity(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey,
        e.GetString("KeyId") ?? string.Empty,
        e.GetString("Name") ?? string.Empty,
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("RevokedAt"));
}
