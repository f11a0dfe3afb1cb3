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
/// </summary>
public sealed partial class LaneConsumer(
    IQueueTransport transport,
    SendCommandProcessor processor,
    IOptions<ConnectorOptions> options,
    TimeProvider time,
    ILogger<LaneConsumer> logger) : BackgroundService
{
    private static readonly Lane[] MostUrgentFirst = Priority.LanesMostUrgentFirst.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            LogDisabled(logger);
            return;
        }

        var urgentInARow = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var order = urgentInARow >= o.StarvationLimit ? MostUrgentFirst.Reverse() : MostUrgentFirst;
                var took = false;
                foreach (var lane in order)
                {
                    var batch = await transport.ReceiveAsync(QueueNames.ForLane(lane), o.BatchSize, stoppingToken);
                    if (batch.Count == 0)
                    {
                        continue;
                    }

                    urgentInARow = lane == MostUrgentFirst[^1] || urgentInARow >= o.StarvationLimit ? 0 : urgentInARow + 1;
                    foreach (var message in batch)
                    {
                        await ProcessOneAsync(message, stoppingToken);
                    }

                    took = true;
                    break;
                }

                if (!took)
                {
                    urgentInARow = 0;
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
            await processor.ProcessAsync(message, stoppingToken);
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
