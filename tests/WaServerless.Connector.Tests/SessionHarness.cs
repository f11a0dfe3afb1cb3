using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Connector;
using WaServerless.Connector.Sessions;
using WaServerless.Core.Engines;
using WaServerless.Core.Sessions;
using WaServerless.Engines.Sandbox;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Sessions;
using WaServerless.TestKit;

namespace WaServerless.Connector.Tests;

/// <summary>One connector replica's session side (supervisor, Sandbox engine) on a shared Azurite prefix.</summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    private SessionHarness(SessionSupervisor supervisor, SandboxEngine sandbox, SessionStore store, SessionCredentialStore credentials)
    {
        Supervisor = supervisor;
        Sandbox = sandbox;
        Store = store;
        Credentials = credentials;
        _run = supervisor.StartAsync(_stop.Token);
    }

    public SessionSupervisor Supervisor { get; }

    public SandboxEngine Sandbox { get; }

    public SessionStore Store { get; }

    public SessionCredentialStore Credentials { get; }

    /// <param name="sessionsOf">Wraps the Sandbox's session side (an engine that is slow to connect); the Sandbox itself when null.</param>
    public static async Task<SessionHarness> StartAsync(string prefix, TimeProvider time, ConnectorOptions? options = null, SandboxOptions? sandbox = null, Func<SandboxEngine, IWhatsAppSessionEngine>? sessionsOf = null)
    {
        var clients = (await Azurite.Shared).Clients(prefix);
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        var store = new SessionStore(clients, time);
        var credentials = new SessionCredentialStore(clients, Options.Create(new SessionOptions { EncryptionKey = Convert.ToBase64String(new byte[32]) }));
        var sink = new ForwardingSink();
        var engine = new SandboxEngine(Options.Create(sandbox ?? new SandboxOptions { AutoPairAfter = TimeSpan.FromSeconds(5), QrRefreshInterval = TimeSpan.FromSeconds(20) }), sink, time, NullLogger<SandboxEngine>.Instance);
        var supervisor = new SessionSupervisor(store, credentials, new EngineCatalog([new EngineRegistration(EngineNames.Sandbox, engine, sessionsOf?.Invoke(engine) ?? engine)], EngineNames.Sandbox), Options.Create(options ?? Fast()), time, NullLoggerFactory.Instance);
        sink.Target = supervisor;
        return new SessionHarness(supervisor, engine, store, credentials);
    }

    public static ConnectorOptions Fast() => new()
    {
        SessionScanInterval = TimeSpan.FromMilliseconds(100),
        LeaseDuration = TimeSpan.FromSeconds(15),
        LeaseRenewInterval = TimeSpan.FromSeconds(5),
        LivenessInterval = TimeSpan.FromSeconds(30),
        QrMinInterval = TimeSpan.Zero,
        SessionReconcileInterval = TimeSpan.FromMilliseconds(200),
        SessionTick = TimeSpan.FromMilliseconds(200),
        ReconnectInitialDelay = TimeSpan.FromSeconds(2),
        ReconnectMaxDelay = TimeSpan.FromSeconds(30),
        MaxReconnectAttempts = 3,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Supervisor.StopAsync(CancellationToken.None);
        await _run;
        Sandbox.Dispose();
        _stop.Dispose();
    }

    private sealed class ForwardingSink : IEngineEventSink
    {
        public SessionSupervisor? Target { get; set; }

        public Task OnEventAsync(EngineEvent engineEvent, CancellationToken cancellationToken) =>
            Target?.RouteAsync(engineEvent, cancellationToken) ?? Task.CompletedTask;
    }
}

public static class Clock
{
    /// <summary>Moves a fake clock forward in small steps, letting the workers run between steps, until the condition holds.</summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider clock, Func<Task<bool>> condition, TimeSpan step, TimeSpan limit, string what)
    {
        var moved = TimeSpan.Zero;
        while (!await condition())
        {
            if (moved >= limit)
            {
                // The fake time is up; the workers may still be catching up with it on a loaded machine:
                // give them real time, without moving the clock, before calling it a failure.
                for (var waited = 0; waited < 100 && !await condition(); waited++)
                {
                    await Task.Delay(50);
                }

                if (await condition())
                {
                    return;
                }

                throw new TimeoutException($"{what} did not happen within {limit} of fake time.");
            }

            clock.Advance(step);
            moved += step;
            await Task.Delay(30);
        }
    }

    public static Func<Task<bool>> StateIs(SessionStore store, string account, string session, SessionState state) =>
        async () => (await store.GetAsync(account, session, default))?.State == state;
}
