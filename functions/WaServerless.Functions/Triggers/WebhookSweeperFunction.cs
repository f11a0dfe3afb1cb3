using Microsoft.Azure.Functions.Worker;
using WaServerless.OutboundWebhooks;

namespace WaServerless.Functions.Triggers;

/// <summary>On Webhooks:SweepSchedule (every 30 seconds by default): webhook deliveries whose retry is due get their next attempt.</summary>
public sealed class WebhookSweeperFunction(WebhookDeliverer deliverer)
{
    [Function(nameof(SweepWebhookRetries))]
    public Task SweepWebhookRetries([TimerTrigger("%Webhooks:SweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        deliverer.SweepAsync(cancellationToken);
}
