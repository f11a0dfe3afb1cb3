using Microsoft.Extensions.Options;
using WaServerless.Api.Sending;
using WaServerless.Core.Scheduling;
using WaServerless.Queues;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Webhooks;
using WaServerless.OutboundWebhooks;

namespace WaServerless.DevHost;

/// <summary>
/// The devhost's stand-in for a Functions trigger: one step at a time until the host stops, a failed
/// step logged and the loop going on after a pause, never a stop. Subclasses say what one step is and
/// when the next one runs.
/// </summary>
internal abstract partial class PeriodicLoop(TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>Runs one step; returns when the next may start.</summary>
    protected abstract Task<DateTimeOffset> StepAsync(CancellationToken cancellationToken);

    /// <summary>How long to wait after a failed step.</summary>
    protected virtual TimeSpan AfterFailure => TimeSpan.FromSeconds(2);

    protected TimeProvider Time => time;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset next;
            try
            {
                next = await StepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, GetType().Name, e);
                next = time.GetUtcNow() + AfterFailure;
            }

            var wait = next - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "{Loop} failed; it goes on after a pause")]
    private static partial void LogFailed(ILogger logger, string loop, Exception exception);
}

/// <summary>A Functions timer's stand-in: one sweep, then the next run on the same schedule setting the timer reads.</summary>
internal abstract class ScheduledSweepLoop(string schedule, TimeProvider time, ILogger logger) : PeriodicLoop(time, logger)
{
    private readonly TimerSchedule _schedule = TimerSchedule.Parse(schedule);

    protected abstract Task SweepAsync(CancellationToken cancellationToken);

    protected sealed override async Task<DateTimeOffset> StepAsync(CancellationToken cancellationToken)
    {
        await SweepAsync(cancellationToken);
        return _schedule.Next(Time.GetUtcNow());
    }
}

/// <summary>The Functions app's SweepOutbox timer, on the same Messages:OutboxSweepSchedule.</summary>
internal sealed class OutboxSweeperLoop(OutboxSweeper sweeper, IOptions<MessageStoreOptions> options, TimeProvider time, ILogger<OutboxSweeperLoop> logger)
    : ScheduledSweepLoop(options.Value.OutboxSweepSchedule, time, logger)
{
    protected override Task SweepAsync(CancellationToken cancellationToken) => sweeper.SweepAsync(cancellationToken);
}

/// <summary>The Functions app's SweepWebhookRetries timer, on the same Webhooks:SweepSchedule.</summary>
internal sealed class WebhookSweeperLoop(WebhookDeliverer deliverer, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookSweeperLoop> logger)
    : ScheduledSweepLoop(options.Value.SweepSchedule, time, logger)
{
    protected override Task SweepAsync(CancellationToken cancellationToken) => deliverer.SweepAsync(cancellationToken);
}

/// <summary>
/// Takes events off the events queue and routes them, as the Functions app's Service Bus trigger
/// does in Azure: a transient failure starts its RetrySend, a rate limit or a lost session throttles
/// the session's campaigns, a session that connected wakes what waits for it, webhooks fan out.
/// A message that cannot be read is dead-lettered. Polls again at once while there are events.
/// </summary>
internal sealed class DeliveryEventsLoop(
    IQueueTransport transport,
    WaServerless.Workflows.Signals.EventsRouter router,
    WaServerless.Workflows.IWorkflowClient workflows,
    TimeProvider time,
    ILogger<DeliveryEventsLoop> logger) : PeriodicLoop(time, logger)
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(500);

    protected override async Task<DateTimeOffset> StepAsync(CancellationToken cancellationToken)
    {
        var batch = await transport.ReceiveAsync(QueueNames.Events, 32, cancellationToken);
        foreach (var message in batch)
        {
            var (e, poison) = EventsQueue.Parse(message.Body);
            if (e is null)
            {
                await transport.DeadLetterAsync(message, poison!, cancellationToken);
                continue;
            }

            await router.RouteAsync(workflows, e, cancellationToken);
            await transport.CompleteAsync(message, cancellationToken);
        }

        return batch.Count == 0 ? Time.GetUtcNow() + IdlePoll : Time.GetUtcNow();
    }
}
