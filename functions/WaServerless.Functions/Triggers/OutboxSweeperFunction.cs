using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Sending;

namespace WaServerless.Functions.Triggers;

/// <summary>Every minute: enqueue accepted messages whose enqueue never happened.</summary>
public sealed class OutboxSweeperFunction(OutboxSweeper sweeper)
{
    [Function(nameof(SweepOutbox))]
    public Task SweepOutbox([TimerTrigger("0 */1 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweeper.SweepAsync(cancellationToken);
}
