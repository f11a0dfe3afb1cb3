using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Webhooks;

namespace WaServerless.Storage.Accounts;

/// <summary>A MAC key of an account (SMSGlobal's API key and secret): it acts as the API key that created it.</summary>
public sealed record MacCredentialRecord(string Id, string AccountId, string KeyId, string Name, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>What a MAC header (Authorization: MAC id, ts, nonce, mac) says about the caller.</summary>
public enum MacVerdict
{
    Valid,
    UnknownKey,
    BadSignature,
    StaleTimestamp,
    ReplayedNonce,
}

/// <summary>
/// MAC credentials, as SMSGlobal's REST API authenticates: the client signs
/// "{ts}\n{nonce}\n{METHOD}\n{path and query}\n{host}\n{port}\n\n" with HMAC-SHA256 under its secret.
/// Unlike an API key, the secret must be read back to check a signature, so it is stored encrypted
/// (AES-256-GCM under Webhooks:EncryptionKey, the API's key for secrets it must read back, bound to
/// its row), never in the clear. A timestamp outside the window and a nonce seen before are refused.
/// maccredentials: PartitionKey the key id; macnonces: PartitionKey the key id, RowKey the nonce.
/// </summary>
public sealed class MacCredentialStore(StorageClients clients, ApiKeyStore keys, IOptions<WebhookOptions> protection, TimeProvider time)
{
    public const string IdPrefix = "smsg_";

    /// <summary>How far a request's timestamp may be from now, either way.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private readonly AesGcmFieldProtector? _protector = protection.Value.Key is { } key ? new AesGcmFieldProtector(key) : null;

    private TableClient Credentials => clients.Table(TableNames.MacCredentials);

    // The nonce tables of the days in use, created once each; creating one drops the table of three days before.
    private readonly ConcurrentDictionary<DateOnly, Lazy<Task<TableClient>>> _nonceTables = new();

    public bool CanStoreSecrets => _protector is not null;

    public async Task<(MacCredentialRecord Record, string Secret)> CreateAsync(string accountId, string keyId, string name, CancellationToken cancellationToken)
    {
        var protector = _protector ?? throw new InvalidOperationException("Webhooks:EncryptionKey is not configured: MAC secrets cannot be stored.");
        var id = IdPrefix + RandomNumberGenerator.GetHexString(32, lowercase: true);
        var secret = Base62.Random(40);
        var record = new MacCredentialRecord(id, accountId, keyId, name, time.GetUtcNow(), null);
        await Credentials.AddEntityAsync(
            new TableEntity(id, string.Empty)
            {
                ["AccountId"] = accountId,
                ["KeyId"] = keyId,
                ["Name"] = name,
                ["Secret"] = protector.Protect(Encoding.UTF8.GetBytes(secret), Aad(id)),
                ["CreatedAt"] = record.CreatedAt,
            },
            cancellationToken);
        return (record, secret);
    }

    public async Task<IReadOnlyList<MacCredentialRecord>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var list = new List<MacCredentialRecord>();
        await foreach (var e in Credentials.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"AccountId eq {accountId}"), cancellationToken: cancellationToken))
        {
            list.Add(FromEntity(e));
        }

        return list;
    }

    /// <summary>Checks a MAC header's parts against the request; on success, the caller its key stands for.</summary>
    /// <param name="origins">The host and port the client may have signed: the request's own, and those a TLS-ending front end reports.</param>
    public async Task<(MacVerdict Verdict, KeyAuthentication? Caller)> VerifyAsync(string id, string ts, string nonce, string mac, string method, string pathAndQuery, IReadOnlyList<(string Host, int Port)> origins, CancellationToken cancellationToken)
    {
        if (!id.StartsWith(IdPrefix, StringComparison.Ordinal) || !TableKeys.IsValid(id) || _protector is null)
        {
            return (MacVerdict.UnknownKey, null);
        }

        var row = await Credentials.GetEntityIfExistsAsync<TableEntity>(id, string.Empty, cancellationToken: cancellationToken);
        if (!row.HasValue || row.Value!.GetDateTimeOffset("RevokedAt") is not null || row.Value.GetBinary("Secret") is not { } stored
            || _protector.Unprotect(stored, Aad(id)) is not { } secret)
        {
            return (MacVerdict.UnknownKey, null);
        }

        byte[] given;
        try
        {
            given = Convert.FromBase64String(mac);
        }
        catch (FormatException)
        {
            return (MacVerdict.BadSignature, null);
        }

        var matches = false;
        foreach (var (host, port) in origins)
        {
            var normalized = string.Create(CultureInfo.InvariantCulture, $"{ts}\n{nonce}\n{method.ToUpperInvariant()}\n{pathAndQuery}\n{host}\n{port}\n\n");
            matches |= CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(normalized)), given);
        }

        if (!matches)
        {
            return (MacVerdict.BadSignature, null);
        }

        // Only a signed request may spend a nonce, so nobody can burn another client's nonces.
        if (!long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799))).Duration() > Window)
        {
            return (MacVerdict.StaleTimestamp, null);
        }

        if (!TableKeys.IsValid(nonce) || nonce.Length > 128)
        {
            return (MacVerdict.ReplayedNonce, null);
        }

        // A replay carries the same signed timestamp, so it lands in the same day's table as the original.
        var day = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime);
        try
        {
            var nonces = await NoncesOfAsync(day, cancellationToken);
            await nonces.AddEntityAsync(new TableEntity(id, nonce) { ["At"] = time.GetUtcNow() }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return (MacVerdict.ReplayedNonce, null);
        }

        var entity = row.Value;
        return (MacVerdict.Valid, await keys.CallerOfAsync(entity.GetString("AccountId") ?? string.Empty, entity.GetString("KeyId") ?? string.Empty, cancellationToken));
    }

    /// <summary>Revokes a MAC key of the account: its signatures are refused from then on. False when the account has no such key.</summary>
    public async Task<bool> RevokeAsync(string accountId, string id, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(id))
        {
            return false;
        }

        var row = await Credentials.GetEntityIfExistsAsync<TableEntity>(id, string.Empty, cancellationToken: cancellationToken);
        if (!row.HasValue || row.Value!.GetString("AccountId") != accountId)
        {
            return false;
        }

        if (row.Value.GetDateTimeOffset("RevokedAt") is null)
        {
            row.Value["RevokedAt"] = time.GetUtcNow();
            await Credentials.UpdateEntityAsync(row.Value, row.Value.ETag, TableUpdateMode.Merge, cancellationToken);
        }

        return true;
    }

    private async Task<TableClient> NoncesOfAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var created = _nonceTables.GetOrAdd(day, d => new Lazy<Task<TableClient>>(() => CreateNonceTableAsync(d)));
        try
        {
            return await created.Value.WaitAsync(cancellationToken);
        }
        catch when (created.Value.IsFaulted)
        {
            _nonceTables.TryRemove(new KeyValuePair<DateOnly, Lazy<Task<TableClient>>>(day, created));
            throw;
        }
    }

    private async Task<TableClient> CreateNonceTableAsync(DateOnly day)
    {
        var table = clients.Table(NonceTableName(day));
        await table.CreateIfNotExistsAsync();
        // Only today's timestamps (within the window) are accepted, so three days on a table is dead.
        var stale = day.AddDays(-3);
        _nonceTables.TryRemove(stale, out _);
        try
        {
            await clients.Tables.DeleteTableAsync(clients.Name(NonceTableName(stale)));
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }

        return table;
    }

    public static string NonceTableName(DateOnly day) => TableNames.MacNoncesOfDay + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static byte[] Aad(string id) => Encoding.UTF8.GetBytes("mac:" + id);

    private static MacCredentialRecord FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("AccountId") ?? string.Empty,
        e.GetString("KeyId") ?? string.Empty,
        e.GetString("Name") ?? string.Empty,
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("RevokedAt"));
}
