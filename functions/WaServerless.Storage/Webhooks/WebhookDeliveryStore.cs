using Azure;
using Azure.Data.Tables;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Webhooks;

/// <summary>A delivery waiting for its next attempt.</summary>
public sealed record PendingWebhookDelivery(
    string WebhookId,
    string AccountId,
    string EventId,
    string EventType,
    string Body,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset NextAttemptAt,
    string? LastStatus,
    ETag ETag);

/// <summary>
/// Deliveries that still owe an attempt (PartitionKey webhook id, RowKey event id): written when an
/// attempt fails and may be retried, or when the endpoint is failing and the first attempt is left
/// to the sweeper; deleted when delivered or given up. Only unfinished deliveries live here, so the
/// sweeper's query stays small, and a process that restarts finds them all again. A sweeper claims
/// a row (ETag) before its attempt, so two sweepers never attempt the same delivery at once.
/// </summary>
public sealed class WebhookDeliveryStore(StorageClients clients)
{
    private TableClient Table => clients.Table(TableNames.WebhookDeliveries);

    /// <summary>Adds the delivery; a second add of the same event to the same endpoint keeps the first.</summary>
    public async Task AddAsync(string webhookId, string accountId, string eventId, string eventType, string body, int attempts, DateTimeOffset createdAt, DateTimeOffset nextAttemptAt, string? lastStatus, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(webhookId, eventId)
        {
            ["AccountId"] = accountId,
            ["EventType"] = eventType,
            ["Body"] = body,
            ["Attempts"] = attempts,
            ["CreatedAt"] = createdAt,
            ["NextAttemptAt"] = nextAttemptAt,
            ["LastStatus"] = lastStatus,
        };
        try
        {
            await Table.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // The event came round again (queue redelivery): the pending delivery already covers it.
        }
    }

    /// <summary>Deliveries due at <paramref name="now"/>, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<PendingWebhookDelivery>> GetDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var due = new List<PendingWebhookDelivery>();
        var filter = TableClient.CreateQueryFilter($"NextAttemptAt le {now}");
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            due.Add(FromEntity(e));
            if (due.Count >= max)
            {
                break;
            }
        }

        return due;
    }

    public async Task<PendingWebhookDelivery?> GetAsync(string webhookId, string eventId, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(webhookId, eventId, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>
    /// Takes the delivery for one attempt: moves its next attempt to <paramref name="leaseUntil"/>, so
    /// that nobody else picks it up meanwhile (and, should this process die, it comes due again then).
    /// Null when someone else changed or finished it first.
    /// </summary>
    public async Task<PendingWebhookDelivery?> TryClaimAsync(PendingWebhookDelivery delivery, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        try
        {
            var response = await Table.UpdateEntityAsync(
                new TableEntity(delivery.WebhookId, delivery.EventId) { ["NextAttemptAt"] = leaseUntil },
                delivery.ETag,
                TableUpdateMode.Merge,
                cancellationToken);
            return delivery with { NextAttemptAt = leaseUntil, ETag = response.Headers.ETag ?? ETag.All };
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }

    /// <summary>Records a failed attempt and when to try again.</summary>
    public async Task RescheduleAsync(PendingWebhookDelivery delivery, int attempts, DateTimeOffset nextAttemptAt, string lastStatus, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        try
        {
            await Table.UpdateEntityAsync(
                new TableEntity(delivery.WebhookId, delivery.EventId) { ["Attempts"] = attempts, ["NextAttemptAt"] = nextAttemptAt, ["LastStatus"] = lastStatus },
                delivery.ETag,
                TableUpdateMode.Merge,
                cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            // Finished or taken over by someone else while this attempt ran.
        }
    }

    /// <summary>Delivered or given up: nothing more is owed.</summary>
    public async Task CompleteAsync(PendingWebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        try
        {
            await Table.DeleteEntityAsync(delivery.WebhookId, delivery.EventId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>How many deliveries to the endpoint are waiting, counting up to <paramref name="cap"/>.</summary>
    public async Task<int> CountPendingAsync(string webhookId, int cap, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var _ in Table.QueryAsync<TableEntity>(e => e.PartitionKey == webhookId, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (++count >= cap)
            {
                break;
            }
        }

        return count;
    }

    private static PendingWebhookDelivery FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("AccountId") ?? string.Empty,
        e.RowKey,
        e.GetString("EventType") ?? string.Empty,
        e.GetString("Body") ?? "{}",
        e.GetInt32("Attempts") ?? 0,
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("NextAttemptAt") ?? default,
        e.GetString("LastStatus"),
        e.ETag);
}
