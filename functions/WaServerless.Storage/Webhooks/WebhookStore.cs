using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using WaServerless.Core.Webhooks;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Webhooks;

/// <summary>An account's webhook endpoint as the API shows it: never its secret.</summary>
public sealed record WebhookEndpoint(
    string Id,
    string AccountId,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    WebhookHealth Health)
{
    public bool Subscribes(string eventType) => WebhookEventTypes.Matches(Events, eventType);
}

/// <summary>How deliveries to an endpoint have gone lately.</summary>
public sealed record WebhookHealth(
    DateTimeOffset? LastDeliveryAt,
    string? LastStatus,
    string? LastError,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    int ConsecutiveFailures,
    DateTimeOffset? FailingSince,
    string? DisabledReason,
    DateTimeOffset? DisabledAt)
{
    public static readonly WebhookHealth New = new(null, null, null, null, null, 0, null, null, null);
}

/// <summary>An endpoint with the secrets that sign its deliveries: the current one, then the previous one during its grace period.</summary>
public sealed record WebhookTarget(WebhookEndpoint Endpoint, IReadOnlyList<string> Secrets);

/// <summary>One delivery attempt's result, as the endpoint's health records it.</summary>
public sealed record WebhookAttemptRecord(bool Success, string Status, string? Error, DateTimeOffset At);

/// <summary>
/// Webhook endpoints, one partition per account (PartitionKey account id, RowKey webhook id), so an
/// account's list is one partition read and no key reaches another account's endpoints. The signing
/// secret must be usable to sign, so it cannot be hashed: it is stored AES-256-GCM encrypted with
/// Webhooks:EncryptionKey, bound to its row, and decrypted only to sign a delivery.
/// </summary>
public sealed class WebhookStore
{
    private const string SecretField = "Secret";
    private const string PreviousSecretField = "PreviousSecret";
    private const string PreviousSecretUntilField = "PreviousSecretUntil";

    // A merge cannot remove a property; this time stands for "none" and reads back as null.
    private static readonly DateTimeOffset Cleared = DateTimeOffset.UnixEpoch;
    private readonly StorageClients _clients;
    private readonly TimeProvider _time;
    private readonly AesGcmFieldProtector? _protector;

    public WebhookStore(StorageClients clients, TimeProvider time, IOptions<WebhookOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _time = time;
        _protector = options.Value.Key is { } key ? new AesGcmFieldProtector(key) : null;
    }

    /// <summary>False when no encryption key is configured: nothing can be registered.</summary>
    public bool CanStoreSecrets => _protector is not null;

    private TableClient Table => _clients.Table(TableNames.Webhooks);

    /// <summary>Creates an enabled endpoint. The returned secret is shown once; only its ciphertext is kept.</summary>
    public async Task<(WebhookEndpoint Endpoint, string Secret)> CreateAsync(string accountId, Uri url, IReadOnlyList<string> events, string? description, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var protector = RequireProtector();
        var id = "wh_" + RandomNumberGenerator.GetHexString(20, lowercase: true);
        var secret = WebhookSecrets.New();
        var now = _time.GetUtcNow();
        var entity = new TableEntity(accountId, id)
        {
            ["Url"] = url.AbsoluteUri,
            ["Events"] = string.Join(',', events),
            ["Enabled"] = true,
            ["Description"] = description,
            ["CreatedAt"] = now,
            ["UpdatedAt"] = now,
            ["ConsecutiveFailures"] = 0,
            [SecretField] = protector.Protect(Encoding.UTF8.GetBytes(secret), Aad(accountId, id)),
        };
        await Table.AddEntityAsync(entity, cancellationToken);
        return (FromEntity(entity), secret);
    }

    public async Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var list = new List<WebhookEndpoint>();
        await foreach (var e in Table.QueryAsync<TableEntity>(x => x.PartitionKey == accountId, cancellationToken: cancellationToken))
        {
            list.Add(FromEntity(e));
        }

        return [.. list.OrderBy(w => w.CreatedAt).ThenBy(w => w.Id, StringComparer.Ordinal)];
    }

    public async Task<WebhookEndpoint?> GetAsync(string accountId, string webhookId, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(accountId, webhookId, cancellationToken);
        return entity is null ? null : FromEntity(entity);
    }

    /// <summary>The endpoint with its signing secrets (empty when they cannot be decrypted: another key, or none).</summary>
    public async Task<WebhookTarget?> GetTargetAsync(string accountId, string webhookId, CancellationToken cancellationToken)
    {
        var entity = await FindAsync(accountId, webhookId, cancellationToken);
        return entity is null ? null : new WebhookTarget(FromEntity(entity), SecretsOf(entity));
    }

    /// <summary>The account's enabled endpoints subscribed to <paramref name="eventType"/>, with their secrets.</summary>
    public async Task<IReadOnlyList<WebhookTarget>> ListTargetsAsync(string accountId, string eventType, CancellationToken cancellationToken)
    {
        var list = new List<WebhookTarget>();
        await foreach (var e in Table.QueryAsync<TableEntity>(x => x.PartitionKey == accountId, cancellationToken: cancellationToken))
        {
            var endpoint = FromEntity(e);
            if (endpoint.Enabled && endpoint.Subscribes(eventType))
            {
                list.Add(new WebhookTarget(endpoint, SecretsOf(e)));
            }
        }

        return list;
    }

    /// <summary>
    /// Changes what was given. Enabling clears the failure streak, so an endpoint that was switched
    /// off for failing starts afresh. Returns null when there is no such endpoint.
    /// </summary>
    public async Task<WebhookEndpoint?> UpdateAsync(string accountId, string webhookId, Uri? url, IReadOnlyList<string>? events, bool? enabled, string? description, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(accountId, webhookId) { ["UpdatedAt"] = _time.GetUtcNow() };
        if (url is not null)
        {
            entity["Url"] = url.AbsoluteUri;
        }

        if (events is not null)
        {
            entity["Events"] = string.Join(',', events);
        }

        if (description is not null)
        {
            entity["Description"] = description;
        }

        if (enabled is { } on)
        {
            entity["Enabled"] = on;
            if (on)
            {
                entity["ConsecutiveFailures"] = 0;
                entity["FailingSince"] = Cleared;
                entity["DisabledReason"] = string.Empty;
                entity["DisabledAt"] = Cleared;
            }
            else
            {
                entity["DisabledReason"] = "by_owner";
                entity["DisabledAt"] = _time.GetUtcNow();
            }
        }

        try
        {
            await Table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        return await GetAsync(accountId, webhookId, cancellationToken);
    }

    /// <summary>False when there is no such endpoint (the SDK's delete succeeds on a missing row, so this looks first).</summary>
    public async Task<bool> DeleteAsync(string accountId, string webhookId, CancellationToken cancellationToken)
    {
        if (await FindAsync(accountId, webhookId, cancellationToken) is null)
        {
            return false;
        }

        await Table.DeleteEntityAsync(accountId, webhookId, ETag.All, cancellationToken);
        return true;
    }

    /// <summary>
    /// A new secret, returned once. The old one keeps signing (a second v1 in the header) for
    /// <paramref name="grace"/>, so receivers can switch over without dropping deliveries.
    /// Returns null when there is no such endpoint.
    /// </summary>
    public async Task<(WebhookEndpoint Endpoint, string Secret)?> RotateSecretAsync(string accountId, string webhookId, TimeSpan grace, CancellationToken cancellationToken)
    {
        var protector = RequireProtector();
        for (var attempt = 0; ; attempt++)
        {
            var entity = await FindAsync(accountId, webhookId, cancellationToken);
            if (entity is null)
            {
                return null;
            }

            var secret = WebhookSecrets.New();
            var now = _time.GetUtcNow();
            var update = new TableEntity(accountId, webhookId)
            {
                [SecretField] = protector.Protect(Encoding.UTF8.GetBytes(secret), Aad(accountId, webhookId)),
                ["UpdatedAt"] = now,
                ["SecretRotatedAt"] = now,
            };
            if (grace > TimeSpan.Zero && entity.GetBinary(SecretField) is { } current)
            {
                update[PreviousSecretField] = current;
                update[PreviousSecretUntilField] = now + grace;
            }

            try
            {
                await Table.UpdateEntityAsync(update, entity.ETag, TableUpdateMode.Merge, cancellationToken);
                return ((await GetAsync(accountId, webhookId, cancellationToken)) ?? FromEntity(entity), secret);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 3)
            {
                // Changed under us (a delivery recorded its outcome): read again.
            }
        }
    }

    /// <summary>A successful attempt: clears the failure streak.</summary>
    public async Task RecordSuccessAsync(string accountId, string webhookId, WebhookAttemptRecord attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var entity = new TableEntity(accountId, webhookId)
        {
            ["LastDeliveryAt"] = attempt.At,
            ["LastStatus"] = attempt.Status,
            ["LastError"] = string.Empty,
            ["LastSuccessAt"] = attempt.At,
            ["ConsecutiveFailures"] = 0,
            ["FailingSince"] = Cleared,
        };
        try
        {
            await Table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Deleted meanwhile.
        }
    }

    /// <summary>
    /// A failed attempt: the streak grows. When it has reached <paramref name="disableAfterFailures"/>
    /// (0: never) and has lasted <paramref name="disableAfter"/>, the endpoint is disabled. Returns
    /// true when this call disabled it.
    /// </summary>
    public async Task<bool> RecordFailureAsync(string accountId, string webhookId, WebhookAttemptRecord attempt, int disableAfterFailures, TimeSpan disableAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        for (var tries = 0; ; tries++)
        {
            var entity = await FindAsync(accountId, webhookId, cancellationToken);
            if (entity is null)
            {
                return false;
            }

            var failures = (entity.GetInt32("ConsecutiveFailures") ?? 0) + 1;
            var since = Time(entity, "FailingSince") ?? attempt.At;
            var update = new TableEntity(accountId, webhookId)
            {
                ["LastDeliveryAt"] = attempt.At,
                ["LastStatus"] = attempt.Status,
                ["LastError"] = attempt.Error ?? string.Empty,
                ["LastFailureAt"] = attempt.At,
                ["ConsecutiveFailures"] = failures,
                ["FailingSince"] = since,
            };
            var disable = disableAfterFailures > 0 && failures >= disableAfterFailures && attempt.At - since >= disableAfter && (entity.GetBoolean("Enabled") ?? true);
            if (disable)
            {
                update["Enabled"] = false;
                update["DisabledReason"] = "failing";
                update["DisabledAt"] = attempt.At;
            }

            try
            {
                await Table.UpdateEntityAsync(update, entity.ETag, TableUpdateMode.Merge, cancellationToken);
                return disable;
            }
            catch (RequestFailedException e) when (e.Status == 412 && tries < 5)
            {
                // Another attempt recorded at the same time: count again on top of it.
            }
        }
    }

    private AesGcmFieldProtector RequireProtector() => _protector ?? throw new WebhookEncryptionKeyMissingException();

    private async Task<TableEntity?> FindAsync(string accountId, string webhookId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(webhookId) || webhookId.Length > 100)
        {
            return null;
        }

        var response = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, webhookId, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    private List<string> SecretsOf(TableEntity e)
    {
        var secrets = new List<string>();
        if (_protector is null)
        {
            return secrets;
        }

        var aad = Aad(e.PartitionKey, e.RowKey);
        if (e.GetBinary(SecretField) is { } current && _protector.Unprotect(current, aad) is { } plain)
        {
            secrets.Add(Encoding.UTF8.GetString(plain));
        }

        if (secrets.Count > 0 && Time(e, PreviousSecretUntilField) is { } until && until > _time.GetUtcNow()
            && e.GetBinary(PreviousSecretField) is { } previous && _protector.Unprotect(previous, aad) is { } old)
        {
            secrets.Add(Encoding.UTF8.GetString(old));
        }

        return secrets;
    }

    private static byte[] Aad(string accountId, string webhookId) => Encoding.UTF8.GetBytes("webhook-secret|" + accountId + "|" + webhookId);

    private static WebhookEndpoint FromEntity(TableEntity e) => new(
        e.RowKey,
        e.PartitionKey,
        e.GetString("Url") ?? string.Empty,
        (e.GetString("Events") ?? WebhookEventTypes.All).Split(',', StringSplitOptions.RemoveEmptyEntries),
        e.GetBoolean("Enabled") ?? true,
        Text(e, "Description"),
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("UpdatedAt") ?? default,
        new WebhookHealth(
            Time(e, "LastDeliveryAt"),
            Text(e, "LastStatus"),
            Text(e, "LastError"),
            Time(e, "LastSuccessAt"),
            Time(e, "LastFailureAt"),
            e.GetInt32("ConsecutiveFailures") ?? 0,
            Time(e, "FailingSince"),
            Text(e, "DisabledReason"),
            Time(e, "DisabledAt")));

    private static string? Text(TableEntity e, string name) => e.TryGetValue(name, out var v) && v is string s && s.Length > 0 ? s : null;

    private static DateTimeOffset? Time(TableEntity e, string name) => e.GetDateTimeOffset(name) is { } t && t > Cleared ? t : null;
}

/// <summary>Thrown when a secret must be stored but Webhooks:EncryptionKey is not set.</summary>
public sealed class WebhookEncryptionKeyMissingException() : InvalidOperationException("Webhooks:EncryptionKey is not set: webhook signing secrets cannot be stored.");
