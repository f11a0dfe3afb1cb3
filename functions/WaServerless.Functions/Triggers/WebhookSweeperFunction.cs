using Microsoft.Azure.Functions.Worker;
using WaServerless.Workflows.Webhooks;

namespace WaServerless.Functions.Triggers;

/// <summary>Every 30 seconds: webhook deliveries whose retry is due get their next attempt.</summary>
public sealed class WebhookSweeperFunction(WebhookDeliverer deliverer)
{
    [Function(nameof(SweepWebhookRetries))]
    public Task SweepWebhookRetries([TimerTrigger("*/30 * * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        deliverer.SweepAsync(cancellationToken);
}
