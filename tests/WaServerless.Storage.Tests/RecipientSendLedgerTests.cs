using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Recipients;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>The send-time recipient gap and daily cap, counted from actual sends, on Azurite under a test clock.</summary>
public sealed class RecipientSendLedgerTests : IAsyncLifetime
{
    private static readonly TimeSpan Gap = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 22, 0, 0, TimeSpan.Zero));
    private StorageClients _clients = null!;
    private RecipientSendLedger _ledger = null!;

    public async Task InitializeAsync()
    {
        _clients = (await Azurite.Shared).Clients(Azurite.NewPrefix());
        await new StorageInitializer(_clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        _ledger = new RecipientSendLedger(_clients, _clock);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<RecipientSlot> TakeAsync(string recipient, int cap = 50, bool otp = false) =>
        _ledger.TryTakeAsync("acc_ledger", recipient, Gap, cap, otp, default);

    [Fact]
    public async Task A_second_send_inside_the_gap_waits_until_the_gap_after_the_first_actual_send()
    {
        Assert.IsType<RecipientSlot.Granted>(await TakeAsync("+14155550901"));
        _clock.Advance(TimeSpan.FromSeconds(20));

        var wait = Assert.IsType<RecipientSlot.Wait>(await TakeAsync("+14155550901"));
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(40), wait.Until);
        Assert.IsType<RecipientSlot.Granted>(await TakeAsync("+14155550902"));

        _clock.Advance(TimeSpan.FromSeconds(40));
        Assert.IsType<RecipientSlot.Granted>(await TakeAsync("+14155550901"));
    }

    [Fact]
    public async Task The_daily_cap_holds_sends_until_the_next_utc_day_and_otps_skip_only_the_gap()
    {
        Assert.IsType<RecipientSlot.Granted>(await TakeAsync("+14155550903", cap: 2, otp: true));
        Assert.IsType<RecipientSlot.Granted>(await TakeAsync("+14155550903", cap: 2, otp: true));

        var wait = Assert.IsType<RecipientSlot.Wait>(await TakeAsync("+14155550903", cap: 2, otp: true));
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), wait.Until);
        Assert.Contains("daily cap", wait.Reason, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromHours(2));
        Assert.IsType<RecipientSlot.Granted>(await TakeAsync("+14155550903", cap: 2));
    }

    [Fact]
    public async Task A_slot_given_back_after_a_failed_send_lets_the_retry_go_at_once()
    {
        var taken = Assert.IsType<RecipientSlot.Granted>(await TakeAsync("+14155550904", cap: 1));
        await _ledger.ReleaseAsync(taken, default);

        Assert.IsType<RecipientSlot.Granted>(await TakeAsync("+14155550904", cap: 1));
    }

    [Fact]
    public async Task Concurrent_senders_to_one_recipient_get_exactly_one_slot()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => TakeAsync("+14155550905")));

        Assert.Single(results, r => r is RecipientSlot.Granted);
        Assert.Equal(9, results.Count(r => r is RecipientSlot.Wait));
    }
}
