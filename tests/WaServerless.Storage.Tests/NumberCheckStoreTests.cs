using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Engines;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Sessions;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>Number checks on Azurite: requests the connector answers, the cache, and a key's hourly allowance.</summary>
public sealed class NumberCheckStoreTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 30, 0, TimeSpan.Zero));
    private NumberCheckStore _checks = null!;

    public async Task InitializeAsync()
    {
        var clients = (await Azurite.Shared).Clients(Azurite.NewPrefix());
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        _checks = new NumberCheckStore(clients, _clock);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_request_is_pending_until_answered_and_then_read_back_with_when_it_was_checked()
    {
        await _checks.RequestAsync("acc", ["+14155550101", "+14155550000"], default);

        Assert.Equal(["+14155550000", "+14155550101"], (await _checks.PendingAsync("acc", 10, default)).Order(StringComparer.Ordinal));
        Assert.All((await _checks.GetAsync("acc", ["+14155550101"], default)).Values, s => Assert.True(s.IsPending));

        _clock.Advance(TimeSpan.FromSeconds(2));
        await _checks.RecordAsync("acc", [new NumberCheck("+14155550101", true, "14155550101"), new NumberCheck("+14155550000", false, null)], default);

        Assert.Empty(await _checks.PendingAsync("acc", 10, default));
        var stored = await _checks.GetAsync("acc", ["+14155550101", "+14155550000", "+14155550999"], default);
        Assert.Equal(2, stored.Count);
        Assert.Equal(new StoredNumberCheck("+14155550101", true, "14155550101", _clock.GetUtcNow(), _clock.GetUtcNow().AddSeconds(-2)), stored["+14155550101"]);
        Assert.False(stored["+14155550000"].Exists);
    }

    [Fact]
    public async Task Concurrent_requests_never_take_more_than_the_hours_allowance_and_it_comes_back_next_hour()
    {
        var taken = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _checks.TryTakeAllowanceAsync("acc", "key_1", 1, 3, default)));

        Assert.Equal(3, taken.Count(t => t is null));
        Assert.All(taken.Where(t => t is not null), t => Assert.Equal(TimeSpan.FromMinutes(30), t));
        Assert.NotNull(await _checks.TryTakeAllowanceAsync("acc", "key_1", 1, 3, default));
        Assert.Null(await _checks.TryTakeAllowanceAsync("acc", "key_2", 3, 3, default));

        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Null(await _checks.TryTakeAllowanceAsync("acc", "key_1", 3, 3, default));
    }
}
