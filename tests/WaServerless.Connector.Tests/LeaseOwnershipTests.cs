using WaServerless.Core.Engines;
using WaServerless.Core.Sessions;
using WaServerless.Engines.Sandbox;
using WaServerless.TestKit;

namespace WaServerless.Connector.Tests;

/// <summary>Exactly one replica owns a session; another takes over when the owner stops or dies. Real time: leases live in Azurite.</summary>
public sealed class LeaseOwnershipTests
{
    private static readonly SandboxOptions InstantPairing = new() { AutoPairAfter = TimeSpan.Zero };

    [Fact]
    public async Task Two_replicas_never_own_one_session_and_the_second_takes_over_when_the_first_stops()
    {
        var prefix = Azurite.NewPrefix();
        var first = await SessionHarness.StartAsync(prefix, TimeProvider.System, sandbox: InstantPairing);
        await first.Store.CreateAsync("acc", "shared", "shared", default);
        var key = SessionKey.Of("acc", "shared");
        await Eventually.MatchesAsync(() => Task.FromResult(first.Supervisor.IsReady(key)), ready => ready, TimeSpan.FromSeconds(20), "the first replica to connect");

        await using var second = await SessionHarness.StartAsync(prefix, TimeProvider.System, sandbox: InstantPairing);
        await Task.Delay(1000);
        Assert.DoesNotContain(key, second.Supervisor.OwnedSessions);

        await first.DisposeAsync(); // graceful: closes the session and releases the lease
        await Eventually.MatchesAsync(() => Task.FromResult(second.Supervisor.IsReady(key)), ready => ready, TimeSpan.FromSeconds(20), "the second replica to take over");
        // The worker knows it is connected a moment before the row says so.
        await Eventually.MatchesAsync(async () => (await second.Store.GetAsync("acc", "shared", default))!.State, state => state == SessionState.Connected, TimeSpan.FromSeconds(10), "the stored state to say connected");
    }

    [Fact]
    public async Task A_session_whose_owner_died_is_resumed_once_its_lease_lapses()
    {
        var prefix = Azurite.NewPrefix();
        var clients = (await Azurite.Shared).Clients(prefix);
        await using var replica = await SessionHarness.StartAsync(prefix, TimeProvider.System, sandbox: InstantPairing);
        var key = SessionKey.Of("acc", "orphan");

        // A replica that took the lease and then died: it never renews and never releases.
        Assert.NotNull(await replica.Credentials.TryAcquireAsync(key, Guid.NewGuid().ToString(), TimeSpan.FromSeconds(15), default));
        await replica.Store.CreateAsync("acc", "orphan", "orphan", default);
        await Task.Delay(1000);
        Assert.DoesNotContain(key, replica.Supervisor.OwnedSessions);

        await Eventually.MatchesAsync(() => Task.FromResult(replica.Supervisor.IsReady(key)), ready => ready, TimeSpan.FromSeconds(40), "the lapsed session to be resumed");
        Assert.NotNull(clients);
    }

    [Fact]
    public async Task A_session_stored_as_connected_is_not_ready_on_its_new_owner_until_its_engine_connects()
    {
        var prefix = Azurite.NewPrefix();
        var key = SessionKey.Of("acc", "resumed");
        var idle = SessionHarness.Fast();
        idle.Enabled = false;
        await using (var before = await SessionHarness.StartAsync(prefix, TimeProvider.System, idle))
        {
            // What an owner killed while connected leaves behind: saved credentials, and a row that still says connected.
            await before.Store.CreateAsync("acc", "resumed", "resumed", default);
            var lease = (await before.Credentials.TryAcquireAsync(key, Guid.NewGuid().ToString(), TimeSpan.FromSeconds(15), default))!;
            await before.Credentials.SaveAsync(key, lease, "sbx-cred:from-the-last-owner"u8.ToArray(), default);
            await before.Credentials.ReleaseAsync(key, lease, default);
            await before.Store.SetStateAsync("acc", "resumed", SessionState.Connected, null, "+15550000000", default);
        }

        var slow = new HeldConnects();
        await using var replica = await SessionHarness.StartAsync(prefix, TimeProvider.System, sandbox: InstantPairing, sessionsOf: slow.Wrap);
        await slow.Entered.WaitAsync(TimeSpan.FromSeconds(20));

        // Owned, and its engine is still connecting: sends must wait, not go to it.
        Assert.Contains(key, replica.Supervisor.OwnedSessions);
        Assert.False(replica.Supervisor.IsReady(key));
        Assert.DoesNotContain(key, replica.Supervisor.ReadySessions);

        slow.Release();
        await Eventually.MatchesAsync(() => Task.FromResult(replica.Supervisor.IsReady(key)), ready => ready, TimeSpan.FromSeconds(20), "the session to be ready once its engine connects");
    }

    /// <summary>An engine slow to restore a session (as WAHA is): connects wait until released.</summary>
    private sealed class HeldConnects
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public IWhatsAppSessionEngine Wrap(SandboxEngine sandbox) => new Engine(this, sandbox);

        private sealed class Engine(HeldConnects held, SandboxEngine sandbox) : IWhatsAppSessionEngine
        {
            public async Task ConnectAsync(string sessionId, byte[]? credentials, CancellationToken cancellationToken)
            {
                held._entered.TrySetResult();
                await held._released.Task.WaitAsync(cancellationToken);
                await sandbox.ConnectAsync(sessionId, credentials, cancellationToken);
            }

            public Task RequestPairCodeAsync(string sessionId, string phone, CancellationToken cancellationToken) => sandbox.RequestPairCodeAsync(sessionId, phone, cancellationToken);

            public Task<bool> ProbeAsync(string sessionId, CancellationToken cancellationToken) => sandbox.ProbeAsync(sessionId, cancellationToken);

            public Task LogoutAsync(string sessionId, CancellationToken cancellationToken) => sandbox.LogoutAsync(sessionId, cancellationToken);

            public Task DisconnectAsync(string sessionId, CancellationToken cancellationToken) => sandbox.DisconnectAsync(sessionId, cancellationToken);
        }
    }
}
