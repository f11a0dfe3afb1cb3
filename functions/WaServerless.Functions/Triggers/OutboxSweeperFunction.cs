using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Sending;

namespace WaServerless.Functions.Triggers;

/// <summary>On Messages:OutboxSweepSchedule (every minute by default): enqueue accepted messages whose enqueue never happened.</summary>
public sealed class OutboxSweeperFunction(OutboxSweeper sweeper)
{
    [Function(nameof(SweepOutbox))]
    public Task SweepOutbox([TimerTrigger("%Messages:OutboxSweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweeper.SweepAsync(cancellationToken);
}
