using System.Threading.Channels;
using WaServerless.Core.Engines;
using WaServerless.Core.Sessions;
using WaServerless.Storage.Sessions;

namespace WaServerless.Connector.Sessions;

/// <summary>
/// Keeps one owned session alive: connects with its saved credentials (or pairs), stores and
/// publishes every state change, renews the lease, proves liveness by probing (a session that
/// says connected but cannot send is reconnected), reconnects with capped exponential backoff and
/// jitter, gives up as failed after MaxReconnectAttempts, and carries out logout, delete and
/// pair-code requests from the owner, and answers its group and number-check lookups. One loop per session, so its state has one writer.
/// </summary>
internal sealed partial class SessionWorker(
    SessionRecord session,
    string leaseId,
    SessionStore sessions,
    SessionCredentialStore credentials,
    EngineRegistration engineRegistration,
    ConnectorOptions options,
    TimeProvider time,
    ILogger<SessionWorker> logger,
    IReadOnlyList<ISessionStateListener> listeners,
    Random jitter,
    SessionLookups? lookups = null)
{
    private readonly Channel<EngineEvent> _events = Channel.CreateUnbounded<EngineEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _key = session.Key;
    private readonly IWhatsAppSessionEngine _engine = engineRegistration.Sessions;
    private DateTimeOffset _nextRenew;
    private DateTimeOffset _nextReconcile;
    private DateTimeOffset _nextProbe;
    private DateTimeOffset? _nextReconnect;
    private DateTimeOffset _lastQrStored = DateTimeOffset.MinValue;
    private DateTimeOffset? _pairCodeRequestHandled;
    private DateTimeOffset? _groupsRequestHandled;
    private DateTimeOffset? _numberChecksHandled;
    private int _reconnects;
    private SessionState? _lastNotified;
    private bool _stopping;

    /// <summary>
    /// What this worker knows. A row that says connected is what the last owner saw (it may have died
    /// while connected): here the session is connected once its engine says so, so sends wait for that
    /// instead of going to an engine that is still restoring it.
    /// </summary>
    public SessionState State { get; private set; } = session.State == SessionState.Connected ? SessionState.Disconnected : session.State;

    public EngineRegistration Engine => engineRegistration;

    /// <summary>The session's own address at its engine: the one it was created with, else the engine's.</summary>
    public string? Address => session.EngineAddress ?? engineRegistration.Address;

    public void Post(EngineEvent engineEvent) => _events.Writer.TryWrite(engineEvent);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var released = false;
        try
        {
            var now = time.GetUtcNow();
            _nextRenew = now + options.LeaseRenewInterval;
            _nextReconcile = now;
            _nextProbe = now + options.LivenessInterval;
            if (session.Desire == SessionDesire.Active)
            {
                await ConnectAsync(stoppingToken);
            }

            while (!stoppingToken.IsCancellationRequested && !_stopping)
            {
                using var tick = new CancellationTokenSource(options.SessionTick, time);
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(tick.Token, stoppingToken);
                try
                {
                    await _events.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Tick: time for the periodic duties.
                }

                while (_events.Reader.TryRead(out var e))
                {
                    await HandleAsync(e, stoppingToken);
                }

                if (!await DutiesAsync(stoppingToken))
                {
                    released = true; // lease lost: another replica owns it now; release nothing
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LogWorkerFailed(logger, e, _key);
        }
        finally
        {
            if (!released)
            {
                try
                {
                    await _engine.DisconnectAsync(_key, CancellationToken.None);
                }
                finally
                {
                    // A disconnect that throws must not keep the lease: the session would stall for a lease period.
                    await credentials.ReleaseAsync(_key, leaseId, CancellationToken.None);
                    LogReleased(logger, _key);
                }
            }
        }
    }

    private async Task<bool> DutiesAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now >= _nextRenew)
        {
            if (!await credentials.RenewAsync(_key, leaseId, cancellationToken))
            {
                LogLeaseLost(logger, _key);
                await _engine.DisconnectAsync(_key, cancellationToken);
                State = SessionState.Disconnected;
                return false;
            }

            _nextRenew = now + options.LeaseRenewInterval;
        }

        if (now >= _nextReconcile)
        {
            _nextReconcile = now + options.SessionReconcileInterval;
            await ReconcileAsync(cancellationToken);
        }

        if (State == SessionState.Connected && now >= _nextProbe)
        {
            _nextProbe = now + options.LivenessInterval;
            if (!await _engine.ProbeAsync(_key, cancellationToken))
            {
                LogZombie(logger, _key);
                await _engine.DisconnectAsync(_key, cancellationToken);
                await HandleAsync(new SessionDisconnected(_key, now, "connected but unable to send (liveness probe failed)"), cancellationToken);
            }
        }

        if (_nextReconnect is { } due && now >= due && State == SessionState.Disconnected)
        {
            _nextReconnect = null;
            await ConnectAsync(cancellationToken);
        }

        return true;
    }

    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var current = await sessions.GetAsync(session.AccountId, session.SessionId, cancellationToken);
        if (current is null)
        {
            // Deleted under us: close it and give up ownership.
            await _engine.DisconnectAsync(_key, cancellationToken);
            _stopping = true;
            return;
        }

        switch (current.Desire)
        {
            case SessionDesire.LoggedOut when State != SessionState.LoggedOut:
            case SessionDesire.Deleted:
                await _engine.LogoutAsync(_key, cancellationToken);
                await credentials.DeleteAsync(_key, leaseId, cancellationToken);
                if (current.Desire == SessionDesire.Deleted)
                {
                    await sessions.DeleteAsync(session.AccountId, session.SessionId, cancellationToken);
                }
                else if (State != SessionState.LoggedOut)
                {
                    await SetStateAsync(SessionState.LoggedOut, "logged out by the owner", null, cancellationToken);
                }

                _stopping = true;
                return;
        }

        if (ShouldRevive(current))
        {
            // A fresh start: the reconnect count begins again, so a new outage gets the full backoff.
            _reconnects = 0;
            await SetStateAsync(SessionState.Disconnected, current.ReconnectRequestedAt > current.UpdatedAt ? "reconnecting: asked by the owner" : "reconnecting after the failed-session pause", null, cancellationToken);
            await ConnectAsync(cancellationToken);
            return;
        }

        if (current.PairCodeRequestPhone is { } phone && current.PairCodeRequestedAt is { } requestedAt
            && requestedAt != _pairCodeRequestHandled && State is SessionState.Pairing or SessionState.Created or SessionState.Disconnected)
        {
            _pairCodeRequestHandled = requestedAt;
            try
            {
                await _engine.RequestPairCodeAsync(_key, phone, cancellationToken);
            }
            catch (EngineCapabilityException e)
            {
                // The API refuses these up front; one stored before that is dropped, not retried.
                LogPairCodeRefused(logger, _key, e.Message);
            }
        }

        if (lookups is not null && State == SessionState.Connected)
        {
            _groupsRequestHandled = await lookups.ListGroupsIfAskedAsync(current, _groupsRequestHandled, _engine, cancellationToken);
            _numberChecksHandled = await lookups.CheckNumbersIfAskedAsync(current, _numberChecksHandled, _engine, cancellationToken);
        }
    }

    // A failed session (it gave up reconnecting) comes back when its owner asks or, once per pause,
    // by itself; one logged out from the phone only when its owner asks (it has to pair again).
    private bool ShouldRevive(SessionRecord current)
    {
        if (current.Desire != SessionDesire.Active || State is not (SessionState.Failed or SessionState.LoggedOut))
        {
            return false;
        }

        if (current.ReconnectRequestedAt > current.UpdatedAt)
        {
            return true;
        }

        return State == SessionState.Failed && options.FailedSessionRetryAfter > TimeSpan.Zero
            && time.GetUtcNow() - current.UpdatedAt >= options.FailedSessionRetryAfter;
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var saved = await credentials.LoadAsync(_key, cancellationToken);
        if (saved is null && State != SessionState.Pairing)
        {
            await SetStateAsync(SessionState.Pairing, null, null, cancellationToken);
        }

        await _engine.ConnectAsync(_key, saved, cancellationToken);
    }

    private async Task HandleAsync(EngineEvent e, CancellationToken cancellationToken)
    {
        switch (e)
        {
            case QrCodeIssued qr:
                // WhatsApp refreshes QR codes often; store and publish them no faster than QrMinInterval.
                if (qr.At - _lastQrStored >= options.QrMinInterval)
                {
                    _lastQrStored = qr.At;
                    await sessions.SetQrAsync(session.AccountId, session.SessionId, qr.Code, qr.ExpiresAt, cancellationToken);
                    await PairingAsync(cancellationToken);
                }

                break;
            case PairCodeIssued pairCode:
                await sessions.SetPairCodeAsync(session.AccountId, session.SessionId, pairCode.Code, pairCode.Phone, cancellationToken);
                await PairingAsync(cancellationToken);

                break;
            case SessionConnected connected:
                _reconnects = 0;
                _nextProbe = time.GetUtcNow() + options.LivenessInterval;
                if (connected.Credentials is { } saved)
                {
                    await credentials.SaveAsync(_key, leaseId, saved, cancellationToken);
                }

                await SetStateAsync(SessionState.Connected, null, connected.Phone, cancellationToken);
                break;
            case SessionDisconnected disconnected:
                if (State is SessionState.LoggedOut or SessionState.Failed)
                {
                    break;
                }

                _reconnects++;
                WaServerless.Core.Telemetry.WaTelemetry.SessionReconnects.Add(1);
                if (_reconnects > options.MaxReconnectAttempts)
                {
                    await SetStateAsync(SessionState.Failed, $"gave up after {options.MaxReconnectAttempts} reconnects: {disconnected.Reason}", null, cancellationToken);
                    break;
                }

                var delay = options.ReconnectPolicy.DelayAfter(_reconnects, jitter.NextDouble());
                _nextReconnect = time.GetUtcNow() + delay;
                LogReconnecting(logger, _key, _reconnects, delay, disconnected.Reason);
                await SetStateAsync(SessionState.Disconnected, disconnected.Reason, null, cancellationToken);
                break;
            case SessionLoggedOut loggedOut:
                await credentials.DeleteAsync(_key, leaseId, cancellationToken);
                await SetStateAsync(SessionState.LoggedOut, loggedOut.Reason, null, cancellationToken);
                break;
        }
    }

    private async Task SetStateAsync(SessionState state, string? reason, string? phone, CancellationToken cancellationToken)
    {
        // Compared with what this worker last told, not with the stored state: a session resumed after a
        // restart is announced as connected again, which is what wakes the retries waiting for it.
        var changed = _lastNotified != state;
        State = state;
        await sessions.SetStateAsync(session.AccountId, session.SessionId, state, reason, phone, cancellationToken);
        LogState(logger, _key, state.ToWire(), reason);
        if (changed)
        {
            await NotifyAsync(state, reason, phone, cancellationToken);
        }
    }

    // A QR code or pair code stores the pairing state itself (with the code); listeners hear of it once.
    private Task PairingAsync(CancellationToken cancellationToken)
    {
        State = SessionState.Pairing;
        return _lastNotified == SessionState.Pairing ? Task.CompletedTask : NotifyAsync(SessionState.Pairing, null, null, cancellationToken);
    }

    // Listeners are told of real changes only (not every reconnect attempt), and a listener that fails
    // (the events queue down) is logged, never allowed to take the session down with it.
    private async Task NotifyAsync(SessionState state, string? reason, string? phone, CancellationToken cancellationToken)
    {
        _lastNotified = state;
        foreach (var listener in listeners)
        {
            try
            {
                await listener.OnStateChangedAsync(session, state, reason, phone, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogListenerFailed(logger, e, _key, state.ToWire());
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey}: telling listeners it is {State} failed")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string sessionKey, string state);

    [LoggerMessage(LogLevel.Information, "Session {SessionKey} is {State} {Reason}")]
    private static partial void LogState(ILogger logger, string sessionKey, string state, string? reason);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey} reconnect {Attempt} in {Delay}: {Reason}")]
    private static partial void LogReconnecting(ILogger logger, string sessionKey, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey} is connected but failed its liveness probe; reconnecting")]
    private static partial void LogZombie(ILogger logger, string sessionKey);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey}: lease lost to another replica")]
    private static partial void LogLeaseLost(ILogger logger, string sessionKey);

    [LoggerMessage(LogLevel.Information, "Session {SessionKey} closed and its lease released")]
    private static partial void LogReleased(ILogger logger, string sessionKey);

    [LoggerMessage(LogLevel.Error, "Session {SessionKey} worker failed")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception, string sessionKey);

    [LoggerMessage(LogLevel.Warning, "Pair code request for {SessionKey} refused by its engine: {Reason}")]
    private static partial void LogPairCodeRefused(ILogger logger, string sessionKey, string reason);
}
