using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using WaServerless.Core.Engines;
using WaServerless.Core.Sessions;
using WaServerless.Storage.Sessions;

namespace WaServerless.Connector.Sessions;

/// <summary>Told of every state change of an owned session, after it is stored (the connector publishes them).</summary>
internal interface ISessionStateListener
{
    Task OnStateChangedAsync(SessionRecord session, SessionState state, string? reason, string? phone, CancellationToken cancellationToken);
}

/// <summary>Which sessions this replica owns and can send on right now, and on which engine.</summary>
internal interface ISessionDirectory
{
    bool IsReady(string sessionKey);

    /// <summary>The engine an owned session runs on; null when this replica does not own it.</summary>
    EngineRegistration? EngineOf(string sessionKey);

    /// <summary>An owned session's own address at its engine (a Cloud API phone number id), or null.</summary>
    string? AddressOf(string sessionKey) => null;

    /// <summary>The sessions this replica owns that are connected now.</summary>
    IReadOnlyCollection<string> ReadySessions { get; }
}

/// <summary>
/// Finds sessions without an owner and claims them by their blob lease, one
/// <see cref="SessionWorker"/> each; routes engine events to the worker of their session; and on
/// shutdown closes every session and releases its lease so another replica resumes it at once.
/// </summary>
internal sealed partial class SessionSupervisor(
    SessionStore sessions,
    SessionCredentialStore credentials,
    EngineCatalog engines,
    IOptions<ConnectorOptions> options,
    TimeProvider time,
    ILoggerFactory loggers,
    IEnumerable<ISessionStateListener>? listeners = null,
    EngineAddressIndex? addresses = null,
    Random? jitter = null,
    SessionLookups? lookups = null) : BackgroundService, ISessionDirectory
{
    private readonly ConcurrentDictionary<string, (SessionWorker Worker, Task Run)> _owned = new();
    private readonly ILogger _logger = loggers.CreateLogger<SessionSupervisor>();
    private readonly string _replica = options.Value.ReplicaId ?? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    private static int _observers;

    /// <summary>When the last scan for sessions to own finished without error (readiness).</summary>
    public DateTimeOffset? LastScanAt { get; private set; }

    private static SessionSupervisor? _current;

    // One gauge per process; it reports the supervisor that started last (one per process in practice).
    private void ObserveOnce()
    {
        _current = this;
        if (Interlocked.Increment(ref _observers) == 1)
        {
            WaServerless.Core.Telemetry.WaTelemetry.ObserveSessions(() =>
                _current is null
                    ? []
                    : _current._owned.Values
                        .GroupBy(o => o.Worker.State)
                        .Select(g => new System.Diagnostics.Metrics.Measurement<int>(g.Count(), new KeyValuePair<string, object?>("state", g.Key.ToWire()))));
        }
    }

    public bool IsReady(string sessionKey) => _owned.TryGetValue(sessionKey, out var owned) && owned.Worker.State == SessionState.Connected;

    public EngineRegistration? EngineOf(string sessionKey) => _owned.TryGetValue(sessionKey, out var owned) ? owned.Worker.Engine : null;

    public string? AddressOf(string sessionKey) => _owned.TryGetValue(sessionKey, out var owned) ? owned.Worker.Address : null;

    public IReadOnlyCollection<string> OwnedSessions => _owned.Keys.ToList();

    public IReadOnlyCollection<string> ReadySessions => _owned.Where(o => o.Value.Worker.State == SessionState.Connected).Select(o => o.Key).ToList();

    public Task RouteAsync(EngineEvent engineEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engineEvent);
        if (_owned.TryGetValue(engineEvent.SessionId, out var owned))
        {
            owned.Worker.Post(engineEvent);
        }
        else
        {
            LogUnownedEvent(_logger, engineEvent.GetType().Name, engineEvent.SessionId);
        }

        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        ObserveOnce();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ClaimAsync(stoppingToken);
                LastScanAt = time.GetUtcNow();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogScanFailed(_logger, e);
            }

            try
            {
                await Task.Delay(options.Value.SessionScanInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        // Graceful shutdown: every worker closes its session and releases its lease.
        await Task.WhenAll(_owned.Values.Select(o => o.Run));
    }

    private async Task ClaimAsync(CancellationToken stoppingToken)
    {
        foreach (var (key, owned) in _owned)
        {
            if (owned.Run.IsCompleted)
            {
                _owned.TryRemove(key, out _);
            }
        }

        foreach (var session in await sessions.ListAllAsync(stoppingToken))
        {
            if (_owned.ContainsKey(session.Key) || !NeedsOwner(session))
            {
                continue;
            }

            // A session on an engine this connector lacks is left to a connector that has it.
            if (engines.Find(session.Engine) is not { } engine)
            {
                LogEngineMissing(_logger, session.Key, session.Engine ?? engines.DefaultEngine);
                continue;
            }

            var leaseId = await credentials.TryAcquireAsync(session.Key, Guid.NewGuid().ToString(), options.Value.LeaseDuration, stoppingToken);
            if (leaseId is null)
            {
                continue;
            }

            var address = session.EngineAddress ?? engine.Address;
            if (address is { Length: > 0 } && addresses is not null
                && await addresses.BindAsync(engine.Name, address, session.Key, stoppingToken) is var holder && holder != session.Key)
            {
                // One business number, one session: a second account must not send as the first.
                await sessions.SetStateAsync(session.AccountId, session.SessionId, SessionState.Failed, $"the {engine.Name} number {address} is bound to another session; this deployment has one", null, stoppingToken);
                await credentials.ReleaseAsync(session.Key, leaseId, stoppingToken);
                LogAddressTaken(_logger, session.Key, engine.Name);
                continue;
            }

            engine.Sessions.UseAddress(session.Key, address);
            LogClaimed(_logger, session.Key, _replica);
            var worker = new SessionWorker(session, leaseId, sessions, credentials, engine, options.Value, time, loggers.CreateLogger<SessionWorker>(), [.. listeners ?? []], jitter ?? Random.Shared, lookups);
            _owned[session.Key] = (worker, Task.Run(() => worker.RunAsync(stoppingToken), CancellationToken.None));
        }
    }

    // Failed and logged-out sessions need no owner until their owner asks again (reconnect), or, for a
    // failed one, until the retry pause has passed since it failed.
    private bool NeedsOwner(SessionRecord session) => session.Desire switch
    {
        SessionDesire.Active => session.State switch
        {
            SessionState.Failed or SessionState.LoggedOut when session.ReconnectRequestedAt > session.UpdatedAt => true,
            SessionState.Failed => options.Value.FailedSessionRetryAfter > TimeSpan.Zero && time.GetUtcNow() - session.UpdatedAt >= options.Value.FailedSessionRetryAfter,
            SessionState.LoggedOut => false,
            _ => true,
        },
        SessionDesire.LoggedOut => session.State != SessionState.LoggedOut,
        _ => true,
    };

    [LoggerMessage(LogLevel.Information, "Session {SessionKey} claimed by replica {Replica}")]
    private static partial void LogClaimed(ILogger logger, string sessionKey, string replica);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey} failed: the {Engine} number is bound to another session")]
    private static partial void LogAddressTaken(ILogger logger, string sessionKey, string engine);

    [LoggerMessage(LogLevel.Debug, "Session {SessionKey} runs on engine {Engine}, which this connector does not have")]
    private static partial void LogEngineMissing(ILogger logger, string sessionKey, string engine);

    [LoggerMessage(LogLevel.Debug, "{EventType} for session {SessionKey}, which this replica does not own, ignored")]
    private static partial void LogUnownedEvent(ILogger logger, string eventType, string sessionKey);

    [LoggerMessage(LogLevel.Error, "Scanning for sessions to own failed")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);
}
