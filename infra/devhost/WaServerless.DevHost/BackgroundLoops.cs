using Microsoft.Extensions.Options;
using WaServerless.Api.Sending;
using WaServerless.Queues;

namespace WaServerless.DevHost;

/// <summary>The devhost's stand-in for the Functions timer trigger that runs the outbox sweeper.</summary>
public sealed partial class OutboxSweeperLoop(OutboxSweeper sweeper, IOptions<DevHostOptions> options, TimeProvider time, ILogger<OutboxSweeperLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sweeper.SweepAsync(stoppingToken);
                await Task.Delay(options.Value.OutboxSweepInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
                await Task.Delay(options.Value.OutboxSweepInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Outbox sweep failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>
/// Takes events off the events queue and routes them, as the Functions app's Service Bus trigger
/// does in Azure: a transient failure starts its RetrySend, a rate limit or a lost session throttles
/// the session's campaigns, a session that connected wakes what waits for it, webhooks fan out.
/// A message that cannot be read is dead-lettered.
/// </summary>
public sealed partial class DeliveryEventsLoop(
    IQueueTransport transport,
    WaServerless.Workflows.Signals.EventsRouter router,
    WaServerless.Workflows.IWorkflowClient workflows,
    TimeProvider time,
    ILogger<DeliveryEventsLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var batch = await transport.ReceiveAsync(QueueNames.Events, 32, stoppingToken);
                foreach (var message in batch)
                {
                    var e = EventsQueue.Read(message.Body);
                    if (e is null)
                    {
                        await transport.DeadLetterAsync(message, "not an event of the events queue", stoppingToken);
                        continue;
                    }

                    await router.RouteAsync(workflows, e, stoppingToken);
                    await transport.CompleteAsync(message, stoppingToken);
                }

                if (batch.Count == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Reading delivery events failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
