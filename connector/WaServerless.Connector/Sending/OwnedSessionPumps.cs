using Microsoft.Extensions.Logging;
using WaServerless.Connector.Sessions;
using WaServerless.Core.Sending;
using WaServerless.Queues;

namespace WaServerless.Connector.Sending;

/// <summary>
/// The consumer on a transport with named sessions (Service Bus): one pump per session this
/// replica owns and has connected, receiving that session's messages only, most urgent lane first
/// with the same anti-starvation rule as the shared consumer, one message per receive, so the
/// session's order holds and no received message waits unsettled behind another while its session
/// lock runs down. A session that disconnects or moves to another replica has its pump stopped
/// between two messages (a send under way finishes) and its Service Bus session released, so its
/// messages wait in the queue, in order, for whoever owns it next.
/// </summary>
internal sealed partial class OwnedSessionPumps(
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
                try
                {
                    await ReconcileAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // A failed pass must not stop the host: the next one tries again.
                    LogReconcileFailed(logger, e);
                }

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
            _pumps[session] = (stop, Task.Run(() => PumpAsync(session, stop.Token, stoppingToken), CancellationToken.None));
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
        await CloseAsync(session);
        LogStopped(logger, session);
    }

    private async Task CloseAsync(string session)
    {
        try
        {
            await receiver.CloseSessionAsync(session, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Its lock lapses by itself; the next owner waits that long at most.
            LogCloseFailed(logger, e, session);
        }
    }

    /// <param name="stop">Stops receiving (the session is no longer ready here, or shutdown).</param>
    /// <param name="hostStopping">Only shutdown: a message already received is finished under it, not abandoned mid-send.</param>
    private async Task PumpAsync(string session, CancellationToken stop, CancellationToken hostStopping)
    {
        var rotation = new LaneRotation(options.StarvationLimit);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var took = false;
                foreach (var lane in rotation.Order)
                {
                    var batch = await receiver.ReceiveFromSessionAsync(QueueNames.ForLane(lane), session, 1, options.SessionReceiveWait, stop);
                    if (batch.Count == 0)
                    {
                        continue;
                    }

                    rotation.Took(lane);
                    foreach (var message in batch)
                    {
                        await handler.ProcessAsync(message, sessionStream: true, hostStopping);
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
                // Let go of the session: an unsettled message returns at once and, as the session is
                // taken again from its start, before the ones behind it.
                LogPumpFailed(logger, e, session);
                await CloseAsync(session);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Receiving session {SessionKey}'s messages")]
    private static partial void LogStarted(ILogger logger, string sessionKey);

    [LoggerMessage(LogLevel.Information, "Stopped receiving session {SessionKey}'s messages")]
    private static partial void LogStopped(ILogger logger, string sessionKey);

    [LoggerMessage(LogLevel.Error, "Starting or stopping session receivers failed")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Releasing session {SessionKey} failed; its lock lapses by itself")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string sessionKey);

    [LoggerMessage(LogLevel.Error, "Receiving session {SessionKey}'s messages failed")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, string sessionKey);
}
