using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Sending;
using WaServerless.Queues;

namespace WaServerless.Connector.Sending;

/// <summary>
/// Drains the send lanes, most urgent first: after every batch it starts again from the otp lane.
/// So that a steady stream of urgent work cannot starve bulk sends forever, after
/// StarvationLimit urgent batches in a row one batch is taken from the less urgent lanes first.
/// On a transport with named sessions (Service Bus) it receives only the sessions this replica
/// owns, one pump each (<see cref="OwnedSessionPumps"/>); on Storage Queues, which have no
/// sessions, it takes every message and the processor defers those of sessions it does not own.
/// </summary>
internal sealed partial class LaneConsumer(
    IQueueTransport transport,
    ISendCommandHandler processor,
    WaServerless.Connector.Sessions.ISessionDirectory sessions,
    IOptions<ConnectorOptions> options,
    TimeProvider time,
    ILogger<LaneConsumer> logger) : BackgroundService
{

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            LogDisabled(logger);
            return;
        }

        if (transport is ISessionQueueReceiver sessionReceiver)
        {
            await new OwnedSessionPumps(sessionReceiver, processor, sessions, o, time, logger).RunAsync(stoppingToken);
            return;
        }

        var rotation = new LaneRotation(o.StarvationLimit);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var took = false;
                foreach (var lane in rotation.Order)
                {
                    var batch = await transport.ReceiveAsync(QueueNames.ForLane(lane), o.BatchSize, stoppingToken);
                    if (batch.Count == 0)
                    {
                        continue;
                    }

                    rotation.Took(lane);
                    foreach (var message in batch)
                    {
                        await ProcessOneAsync(message, stoppingToken);
                    }

                    took = true;
                    break;
                }

                if (!took)
                {
                    rotation.Idle();
                    await Task.Delay(o.PollInterval, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogPollFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ProcessOneAsync(ReceivedMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await processor.ProcessAsync(message, sessionStream: false, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Left unsettled: its lock expires and it is delivered again, up to the dead-letter limit.
            LogProcessFailed(logger, e, message.MessageId);
        }
    }

    [LoggerMessage(LogLevel.Information, "Connector:Enabled is false: this process does not consume the send lanes")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(LogLevel.Error, "Polling the send lanes failed")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Error, "Processing {QueueMessageId} failed; it will be delivered again")]
    private static partial void LogProcessFailed(ILogger logger, Exception exception, string queueMessageId);
}
