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
}
