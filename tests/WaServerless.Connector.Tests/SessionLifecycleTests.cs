using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Sessions;
using WaServerless.TestKit;

namespace WaServerless.Connector.Tests;

/// <summary>The session lifecycle through the Sandbox under a controlled clock: pairing, reconnect backoff, giving up.</summary>
public sealed class SessionLifecycleTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_new_session_pairs_connects_survives_a_drop_and_resumes_with_its_saved_credentials()
    {
        await using var replica = await SessionHarness.StartAsync(Azurite.NewPrefix(), _clock);
        await replica.Store.CreateAsync("acc", "s1", "s1", default);
        var step = TimeSpan.FromMilliseconds(100);

        // The supervisor looks for new sessions every 100 ms of the fake clock.
        await _clock.AdvanceUntilAsync(async () => (await replica.Store.GetAsync("acc", "s1", default))?.QrCode is not null, step, TimeSpan.FromSeconds(4), "a QR code");
        var pairing = (await replica.Store.GetAsync("acc", "s1", default))!;
        Assert.StartsWith("sbx-qr@", pairing.QrCode, StringComparison.Ordinal);

        // AutoPairAfter is 5 s of the fake clock.
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s1", SessionState.Connected), step, TimeSpan.FromSeconds(10), "connected");
        var key = SessionKey.Of("acc", "s1");
        Assert.NotNull(await replica.Credentials.LoadAsync(key, default));

        await replica.Sandbox.DropAsync(key);
        await Eventually.MatchesAsync(Clock.StateIs(replica.Store, "acc", "s1", SessionState.Disconnected), d => d, TimeSpan.FromSeconds(20), "disconnected");

        // The first reconnect waits about ReconnectInitialDelay (2 s +-20%); saved credentials connect without a new QR.
        var qrEvents = (await replica.Store.ReadEventsAsync("acc", "s1", "0", default)).Count(e => e.Type == "qr");
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s1", SessionState.Connected), step, TimeSpan.FromSeconds(5), "reconnected");
        // The state is written before its event is appended: wait for the event too.
        var events = await Eventually.MatchesAsync(() => replica.Store.ReadEventsAsync("acc", "s1", "0", default), e => e.Count(x => x.Type == "connected") == 2, TimeSpan.FromSeconds(10), "the reconnect's event");
        Assert.Equal(qrEvents, events.Count(e => e.Type == "qr"));
        Assert.Equal(["pairing", "connected", "disconnected", "connected"], events.Select(e => e.Type).Where(t => t != "qr"));
        Assert.True(replica.Supervisor.IsReady(key));
    }

    [Fact]
    public async Task Reconnects_back_off_exponentially_and_the_session_fails_after_the_limit_without_a_restart_storm()
    {
        await using var replica = await SessionHarness.StartAsync(Azurite.NewPrefix(), _clock);
        var key = SessionKey.Of("acc", "s2");
        await replica.Store.CreateAsync("acc", "s2", "s2", default);
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s2", SessionState.Connected), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), "connected");

        replica.Sandbox.RefuseConnects(key, 1000);
        var dropAt = _clock.GetUtcNow();
        await replica.Sandbox.DropAsync(key);
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s2", SessionState.Failed), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), "failed");

        var disconnects = (await replica.Store.ReadEventsAsync("acc", "s2", "0", default)).Where(e => e.Type == "disconnected").Select(e => e.At - dropAt).ToList();
        // Drop, then a refused reconnect after ~2 s, ~4 s, ~8 s (each +-20%), then failed: MaxReconnectAttempts is 3.
        Assert.Equal(3, disconnects.Count);
        // Lower bounds are the backoff itself; the upper bounds leave room for storage latency while the clock moves.
        var first = (disconnects[1] - disconnects[0]).TotalSeconds;
        var second = (disconnects[2] - disconnects[1]).TotalSeconds;
        Assert.InRange(first, 1.6, 4.0);
        Assert.InRange(second, 3.2, 8.0);
        Assert.True(second > first, $"backoff must grow: {first} s then {second} s");
        var failed = (await replica.Store.GetAsync("acc", "s2", default))!;
        Assert.Contains("gave up after 3 reconnects", failed.LastError, StringComparison.Ordinal);
        Assert.False(replica.Supervisor.IsReady(key));
    }

    [Fact]
    public async Task A_failed_session_stays_failed_until_its_owner_asks_or_the_retry_pause_passes_then_resumes()
    {
        var options = SessionHarness.Fast();
        options.FailedSessionRetryAfter = TimeSpan.FromMinutes(10);
        await using var replica = await SessionHarness.StartAsync(Azurite.NewPrefix(), _clock, options);
        var step = TimeSpan.FromMilliseconds(100);
        var key = SessionKey.Of("acc", "s3");
        await replica.Store.CreateAsync("acc", "s3", "s3", default);
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s3", SessionState.Connected), step, TimeSpan.FromSeconds(10), "connected");
        var pairedWithQrs = (await replica.Store.ReadEventsAsync("acc", "s3", "0", default)).Count(e => e.Type == "qr");
        replica.Sandbox.RefuseConnects(key, 1000);
        await replica.Sandbox.DropAsync(key);
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s3", SessionState.Failed), step, TimeSpan.FromMinutes(1), "failed");

        // The network is back, but a failed session is not retried before its pause: no restart storm.
        replica.Sandbox.RefuseConnects(key, 0);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Task.Delay(500);
        Assert.Equal(SessionState.Failed, (await replica.Store.GetAsync("acc", "s3", default))!.State);

        // The owner asks: it resumes with its saved credentials, no new pairing.
        await replica.Store.RequestReconnectAsync("acc", "s3", default);
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s3", SessionState.Connected), step, TimeSpan.FromSeconds(10), "reconnected on request");
        Assert.True(replica.Supervisor.IsReady(key));

        // Failed again; this time nobody asks, and the pause brings it back by itself.
        replica.Sandbox.RefuseConnects(key, 1000);
        await replica.Sandbox.DropAsync(key);
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s3", SessionState.Failed), step, TimeSpan.FromMinutes(1), "failed again");
        replica.Sandbox.RefuseConnects(key, 0);
        await _clock.AdvanceUntilAsync(Clock.StateIs(replica.Store, "acc", "s3", SessionState.Connected), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(11), "reconnected after the pause");
        Assert.Equal(pairedWithQrs, (await replica.Store.ReadEventsAsync("acc", "s3", "0", default)).Count(e => e.Type == "qr"));
    }
}
