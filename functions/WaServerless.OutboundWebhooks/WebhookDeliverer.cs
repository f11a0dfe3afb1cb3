using System.Text;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Sending;
using WaServerless.Core.Telemetry;
using WaServerless.Core.Webhooks;
using WaServerless.Storage.Webhooks;

namespace WaServerless.OutboundWebhooks;

/// <summary>
/// Delivers webhook events and their retries.
/// <list type="bullet">
/// <item>First attempt: inline, while the event is being handled, to healthy endpoints (in parallel,
/// each bounded by Webhooks:Timeout). An endpoint that is failing gets no inline attempt: its
/// delivery goes straight to the pending table, so a dead receiver never holds up the events queue.</item>
/// <item>Retries: a failed attempt worth retrying leaves a row in the pending table with its next
/// time (exponential backoff with jitter, at least what a 429's Retry-After asks); <see cref="SweepAsync"/>
/// (a timer function in Azure, a loop on the devhost) claims due rows and tries again, and gives up
/// after Webhooks:MaxAttempts attempts or Webhooks:RetryMaxAge. When an endpoint fails again in a
/// sweep, the rest of its due deliveries wait the same backoff instead of being tried one by one.</item>
/// <item>Every attempt updates the endpoint's health (last status, failure streak); a long streak
/// disables the endpoint (Webhooks:AutoDisableFailures and AutoDisableAfter).</item>
/// </list>
/// Delivery is at least once: receivers dedupe on the event id.
/// </summary>
public sealed partial class WebhookDeliverer(
    WebhookStore store,
    WebhookDeliveryStore pending,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookDeliverer> logger)
{
    // Successes only refresh the endpoint's health this often, so a busy endpoint does not cost a write per event.
    private static readonly TimeSpan SuccessRecordInterval = TimeSpan.FromMinutes(1);

    // A claimed delivery comes due again after its attempt's timeout plus this, should the process die mid-attempt.
    private static readonly TimeSpan ClaimMargin = TimeSpan.FromSeconds(30);

    private RetryPolicy Policy => new(options.Value.MaxAttempts, options.Value.RetryInitialDelay, options.Value.RetryMaxDelay, options.Value.RetryJitter);

    /// <summary>The event's first attempt to one endpoint, or its hand-over to the sweeper.</summary>
    public async Task DeliverAsync(WebhookTarget target, WebhookEvent webhookEvent, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(webhookEvent);
        var endpoint = target.Endpoint;
        var now = time.GetUtcNow();
        if (endpoint.Health.ConsecutiveFailures > 0)
        {
            await pending.AddAsync(endpoint.Id, endpoint.AccountId, webhookEvent.Id, webhookEvent.Type, Encoding.UTF8.GetString(body), 0, now, now, null, cancellationToken);
            LogDeferred(logger, webhookEvent.Id, endpoint.Id);
            return;
        }

        var result = await AttemptAsync(target, webhookEvent.Id, webhookEvent.Type, body, 1, cancellationToken);
        if (result.Outcome == WebhookAttemptOutcome.Delivered)
        {
            return;
        }

        if (NextAttemptAt(webhookEvent.Id, endpoint.Id, 1, now, result) is { } next)
        {
            await pending.AddAsync(endpoint.Id, endpoint.AccountId, webhookEvent.Id, webhookEvent.Type, Encoding.UTF8.GetString(body), 1, now, next, result.Status, cancellationToken);
            LogRetryScheduled(logger, webhookEvent.Id, endpoint.Id, 1, result.Status, next);
        }
        else
        {
            LogGaveUp(logger, webhookEvent.Id, endpoint.Id, 1, result.Status);
        }
    }

    /// <summary>Attempts the deliveries that are due. Returns how many attempts it made.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var due = await pending.GetDueAsync(time.GetUtcNow(), o.SweepBatchSize, cancellationToken);
        var attempts = 0;
        await Parallel.ForEachAsync(
            due.GroupBy(d => (d.AccountId, d.WebhookId)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (group, token) =>
            {
                var made = await SweepEndpointAsync(group.Key.AccountId, group.Key.WebhookId, [.. group.OrderBy(d => d.CreatedAt)], token);
                Interlocked.Add(ref attempts, made);
            });
        return attempts;
    }

    /// <summary>POST /api/webhooks/{id}/test: one ping, now, whatever the endpoint's subscriptions or state; no retry, no health record.</summary>
    public Task<WebhookAttemptResult> PingAsync(WebhookTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var ping = WebhookEvent.Ping(target.Endpoint.AccountId, target.Endpoint.Id, time.GetUtcNow());
        return sender.SendAsync(new Uri(target.Endpoint.Url), target.Secrets, ping.Id, ping.Type, ping.ToBody(), 1, cancellationToken);
    }

    private async Task<int> SweepEndpointAsync(string accountId, string webhookId, IReadOnlyList<PendingWebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var target = await store.GetTargetAsync(accountId, webhookId, cancellationToken);
        var made = 0;
        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            var now = time.GetUtcNow();
            if (target is null || !target.Endpoint.Enabled)
            {
                // Deleted or disabled since: nothing is owed any more.
                await pending.CompleteAsync(delivery, cancellationToken);
                LogDropped(logger, delivery.EventId, webhookId, target is null ? "deleted" : "disabled");
                continue;
            }

            if (now - delivery.CreatedAt > o.RetryMaxAge)
            {
                await pending.CompleteAsync(delivery, cancellationToken);
                LogGaveUp(logger, delivery.EventId, webhookId, delivery.Attempts, delivery.LastStatus ?? "expired");
                continue;
            }

            var claimed = await pending.TryClaimAsync(delivery, now + o.Timeout + ClaimMargin, cancellationToken);
            if (claimed is null)
            {
                continue;
            }

            var attempt = delivery.Attempts + 1;
            var result = await AttemptAsync(target, delivery.EventId, delivery.EventType, Encoding.UTF8.GetBytes(delivery.Body), attempt, cancellationToken);
            made++;
            if (result.Outcome == WebhookAttemptOutcome.Delivered)
            {
                await pending.CompleteAsync(claimed, cancellationToken);
                target = target with { Endpoint = target.Endpoint with { Health = target.Endpoint.Health with { ConsecutiveFailures = 0, LastSuccessAt = now } } };
                continue;
            }

            target = target with { Endpoint = target.Endpoint with { Health = target.Endpoint.Health with { ConsecutiveFailures = target.Endpoint.Health.ConsecutiveFailures + 1 } } };
            var next = NextAttemptAt(delivery.EventId, webhookId, attempt, delivery.CreatedAt, result);
            if (next is { } at)
            {
                await pending.RescheduleAsync(claimed, attempt, at, result.Status, cancellationToken);
                LogRetryScheduled(logger, delivery.EventId, webhookId, attempt, result.Status, at);
            }
            else
            {
                await pending.CompleteAsync(claimed, cancellationToken);
                LogGaveUp(logger, delivery.EventId, webhookId, attempt, result.Status);
            }

            if (result.Outcome == WebhookAttemptOutcome.Retryable)
            {
                // The endpoint is struggling: what else is due for it waits as long, untried.
                var wait = next ?? time.GetUtcNow() + o.RetryInitialDelay;
                foreach (var rest in deliveries.Skip(i + 1))
                {
                    await pending.RescheduleAsync(rest, rest.Attempts, wait, rest.LastStatus ?? result.Status, cancellationToken);
                }

                break;
            }
        }

        return made;
    }

    /// <summary>One attempt with its telemetry and health record.</summary>
    private async Task<WebhookAttemptResult> AttemptAsync(WebhookTarget target, string eventId, string eventType, byte[] body, int attempt, CancellationToken cancellationToken)
    {
        var endpoint = target.Endpoint;
        var result = await sender.SendAsync(new Uri(endpoint.Url), target.Secrets, eventId, eventType, body, attempt, cancellationToken);
        var delivered = result.Outcome == WebhookAttemptOutcome.Delivered;
        WaTelemetry.WebhookDeliveries.Add(1, WaTelemetry.Tag("outcome", delivered ? "success" : "failure"), WaTelemetry.Tag("event_type", eventType));
        if (!delivered)
        {
            WaTelemetry.WebhookFailures.Add(1, WaTelemetry.Tag("event_type", eventType), WaTelemetry.Tag("reason", result.Reason));
            LogAttemptFailed(logger, eventId, endpoint.Id, attempt, result.Status, result.Error);
        }

        var now = time.GetUtcNow();
        try
        {
            if (delivered)
            {
                var health = endpoint.Health;
                if (health.ConsecutiveFailures > 0 || health.LastSuccessAt is not { } last || now - last >= SuccessRecordInterval)
                {
                    await store.RecordSuccessAsync(endpoint.AccountId, endpoint.Id, new WebhookAttemptRecord(true, result.Status, null, now), cancellationToken);
                }
            }
            else
            {
                var o = options.Value;
                var disabled = await store.RecordFailureAsync(endpoint.AccountId, endpoint.Id, new WebhookAttemptRecord(false, result.Status, result.Error, now), o.AutoDisableFailures, o.AutoDisableAfter, cancellationToken);
                if (disabled)
                {
                    LogDisabled(logger, endpoint.Id, endpoint.AccountId, o.AutoDisableFailures);
                }
            }
        }
        catch (RequestFailedException e)
        {
            // The health record is a report, not the delivery: losing one is better than sending again.
            LogHealthNotRecorded(logger, e, endpoint.Id);
        }

        return result;
    }

    /// <summary>When to try again after attempt <paramref name="attempt"/> failed, or null to give up.</summary>
    private DateTimeOffset? NextAttemptAt(string eventId, string webhookId, int attempt, DateTimeOffset firstAttemptAt, WebhookAttemptResult result)
    {
        var policy = Policy;
        if (result.Outcome != WebhookAttemptOutcome.Retryable || !policy.ShouldRetry(attempt))
        {
            return null;
        }

        var delay = policy.DelayAfter(attempt, DeterministicJitter.Fraction(DeterministicJitter.SeedOf(eventId + "|" + webhookId), attempt));
        if (result.RetryAfter is { } asked && asked > delay)
        {
            delay = asked < policy.MaxDelay ? asked : policy.MaxDelay;
        }

        var next = time.GetUtcNow() + delay;
        return next - firstAttemptAt > options.Value.RetryMaxAge ? null : next;
    }

    [LoggerMessage(LogLevel.Debug, "Webhook {EventId} to {WebhookId}: endpoint is failing, left to the sweeper")]
    private static partial void LogDeferred(ILogger logger, string eventId, string webhookId);

    [LoggerMessage(LogLevel.Information, "Webhook {EventId} to {WebhookId}: attempt {Attempt} failed ({Status}: {Error})")]
    private static partial void LogAttemptFailed(ILogger logger, string eventId, string webhookId, int attempt, string status, string? error);

    [LoggerMessage(LogLevel.Information, "Webhook {EventId} to {WebhookId}: attempt {Attempt} gave {Status}, next at {NextAttemptAt:o}")]
    private static partial void LogRetryScheduled(ILogger logger, string eventId, string webhookId, int attempt, string status, DateTimeOffset nextAttemptAt);

    [LoggerMessage(LogLevel.Warning, "Webhook {EventId} to {WebhookId}: given up after {Attempts} attempts (last {Status})")]
    private static partial void LogGaveUp(ILogger logger, string eventId, string webhookId, int attempts, string status);

    [LoggerMessage(LogLevel.Information, "Webhook {EventId} to {WebhookId} dropped: the endpoint was {Why}")]
    private static partial void LogDropped(ILogger logger, string eventId, string webhookId, string why);

    [LoggerMessage(LogLevel.Warning, "Webhook endpoint {WebhookId} of account {AccountId} disabled after {Failures} failed attempts in a row")]
    private static partial void LogDisabled(ILogger logger, string webhookId, string accountId, int failures);

    [LoggerMessage(LogLevel.Warning, "Webhook endpoint {WebhookId}: attempt outcome not recorded")]
    private static partial void LogHealthNotRecorded(ILogger logger, Exception exception, string webhookId);
}
