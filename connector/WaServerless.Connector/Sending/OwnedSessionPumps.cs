using Microsoft.Extensions.Logging;
using WaServerless.Connector.Sessions;
using WaServerless.Core.Sending;
using WaServerless.Queues;

namespace WaServerless.Connector.Sending;

/// <summary>
/// The consumer on a transport with named sessions (Service Bus): one pump per session this
/// replica owns and has connected, receiving that session's messages only, most urgent lane first
/// with the same anti-starvation rule as the shared consumer, one message at a time so the session's
/// order holds. A session that disconnects or moves to another replica has its pump stopped and its
/// Service Bus session released, so its messages wait in the queue for whoever owns it next.
/// </summary>
public sealed partial class OwnedSessionPumps(
    ISessionQueueReceiver receiver,
    ISendCommandHandler handler,
    ISessionDirectory sessions,
    ConnectorOptions options,
    TimeProvider time,
    ILogger logger)
{
    private readonly Dictionary<string, (CancellationTokenSource Stop, Task Run)> _pumps = [];

    public IReadOnlyCollection<string> Pumping => _pumps.Keys;

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ReconcileAsync(stoppingToken);
                await Task.Delay(options.PollInterval * 4, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var session in _pumps.Keys.ToList())
            {
                await StopAsync(session);
            }
        }
    }

    /// <summary>Starts pumps for newly ready sessions and stops those of sessions no longer ready here.</summary>
    public async Task ReconcileAsync(CancellationToken stoppingToken)
    {
        var ready = sessions.ReadySessions.ToHashSet(StringComparer.Ordinal);
        foreach (var session in _pumps.Keys.Where(s => !ready.Contains(s) || _pumps[s].Run.IsCompleted).ToList())
        {
            await StopAsync(session);
        }

        foreach (var session in ready.Where(s => !_pumps.ContainsKey(s)))
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            _pumps[session] = (stop, Task.Run(() => PumpAsync(session, stop.Token), CancellationToken.None));
            LogStarted(logger, session);
        }
    }

    private async Task StopAsync(string session)
    {
        if (!_pumps.Remove(session, out var pump))
        {
            return;
        }

        await pump.Stop.CancelAsync();
        await pump.Run;
        pump.Stop.Dispose();
        await receiver.CloseSessionAsync(session, CancellationToken.None);
        LogStopped(logger, session);
    }

    private async Task PumpAsync(string session, CancellationToken stop)
    {
        var rotation = new LaneRotation(options.StarvationLimit);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var took = false;
                foreach (var lane in rotation.Order)
                {
                    var batch = await receiver.ReceiveFromSessionAsync(QueueNames.ForLane(lane), session, options.BatchSize, options.SessionReceiveWait, stop);
                    if (batch.Count == 0)
                    {
                        continue;
                    }

                    rotation.Took(lane);
                    foreach (var message in batch)
                    {
                        await handler.ProcessAsync(message, sessionStream: true, stop);
                    }

                    took = true;
                    break;
                }

                if (!took)
                {
                    rotation.Idle();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The unsettled message's lock expires and it comes again, up to the dead-letter limit.
                LogPumpFailed(logger, e, session);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Receiving session {SessionKey}'s messages")]
    private static partial void LogStarted(ILogger logger, string sessionKey);

    [LoggerMessage(LogLevel.Information, "Stopped receiving session {SessionKey}'s messages")]
    private static partial void LogStopped(ILogger logger, string sessionKey);

    [LoggerMessage(LogLevel.Error, "Receiving session {SessionKey}'s messages failed")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, string sessionKey);
}
