using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Limits;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Messages;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>Per-key, per-recipient and OTP limits, enforced inside the accept transaction, under a controlled clock.</summary>
public sealed class LimitsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private MessageStore _store = null!;
    private Caller _caller = null!;

    private static readonly SendLimits Defaults = new(1_000_000, 1000, TimeSpan.FromSeconds(60), 50, TimeSpan.FromSeconds(60));

    public async Task InitializeAsync()
    {
        var clients = (await Azurite.Shared).Clients();
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        _store = new MessageStore(clients, _clock, Options.Create(new MessageStoreOptions()), new AllowanceLeases(clients, _clock, Options.Create(new MessageStoreOptions())));
        var account = await new AccountStore(clients, _clock).CreateAsync("Limits", "starter", 1_000_000, null, null, default);
        _caller = new Caller(new ApiKeyRecord("key_limits", account.Id, "t", "SM-xxxxxxxx", DateTimeOffset.UnixEpoch, null, null), account);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<AcceptResult> SendAsync(string recipient, Priority priority, SendLimits? limits = null, string? idempotencyKey = null)
    {
        var request = new SendRequest(recipient, new TextContent("hi"), priority, idempotencyKey);
        var command = new SendCommand
        {
            MessageId = MessageIds.New(_clock),
            AccountId = _caller.Account.Id,
            SessionKey = "default",
            Recipient = recipient,
            Content = request.Content,
            Priority = priority.Value,
            AcceptedAt = _clock.GetUtcNow(),
        };
        return _store.AcceptAsync(_caller, limits ?? Defaults, request, command, (m, r) => new StoredResponse(202, m.MessageId), default);
    }

    [Fact]
    public async Task A_plans_daily_messages_hold_across_concurrent_sends_and_come_back_at_midnight_utc()
    {
        var limits = Defaults with { RecipientGap = TimeSpan.Zero, DailyMessages = 4 };
        _clock.SetUtcNow(new DateTimeOffset(2026, 11, 24, 22, 30, 0, TimeSpan.Zero));

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => SendAsync($"+1415556{i:D4}", Priority.Normal, limits)));

        Assert.Equal(4, results.OfType<AcceptResult.Accepted>().Count());
        Assert.All(results.OfType<AcceptResult.DailyLimitReached>(), r => Assert.Equal((4L, TimeSpan.FromMinutes(90)), (r.Limit, r.RetryAfter)));
        Assert.Equal(6, results.OfType<AcceptResult.DailyLimitReached>().Count());

        _clock.Advance(TimeSpan.FromMinutes(90));
        Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155569999", Priority.Normal, limits));
    }

    [Fact]
    public async Task Concurrent_submissions_against_a_per_minute_limit_accept_exactly_the_limit()
    {
        var limits = Defaults with { SubmissionsPerMinute = 5, RecipientGap = TimeSpan.Zero };

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SendAsync($"+1415555{i:D4}", Priority.Normal, limits)));

        Assert.Equal(5, results.OfType<AcceptResult.Accepted>().Count());
        var limited = results.OfType<AcceptResult.RateLimited>().ToList();
        Assert.Equal(15, limited.Count);
        Assert.All(limited, l => Assert.Equal(TimeSpan.FromMinutes(1), l.RetryAfter));

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155559999", Priority.Normal, limits));
    }

    [Fact]
    public async Task A_repeat_under_an_idempotency_key_is_replayed_even_when_the_limit_is_reached()
    {
        var limits = Defaults with { SubmissionsPerMinute = 1 };
        var first = Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550001", Priority.Normal, limits, "idem"));

        var again = Assert.IsType<AcceptResult.Replayed>(await SendAsync("+14155550001", Priority.Normal, limits, "idem"));

        Assert.Equal(first.Response, again.Response);
        Assert.IsType<AcceptResult.RateLimited>(await SendAsync("+14155550002", Priority.Normal, limits));
    }

    [Fact]
    public async Task A_send_inside_the_recipient_gap_is_scheduled_for_the_end_of_the_gap()
    {
        var t0 = _clock.GetUtcNow();
        var first = Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550010", Priority.Normal));
        _clock.Advance(TimeSpan.FromSeconds(10));
        var second = Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550010", Priority.Normal));
        var third = Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550010", Priority.High));
        var otp = Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550010", Priority.Otp));

        Assert.Equal(MessageStatus.Queued, first.Message.Status);
        Assert.Null(first.Message.ScheduledFor);
        Assert.Equal(MessageStatus.Scheduled, second.Message.Status);
        Assert.Equal(t0.AddSeconds(60), second.Message.ScheduledFor);
        Assert.Equal(t0.AddSeconds(120), third.Message.ScheduledFor);
        Assert.Equal(MessageStatus.Queued, otp.Message.Status);
        Assert.Null(otp.Message.ScheduledFor);

        var stored = (await _store.GetAsync(_caller.Account.Id, second.Message.MessageId, default))!;
        Assert.Equal(MessageStatus.Scheduled, stored.Status);
        Assert.Equal(t0.AddSeconds(60), stored.ScheduledFor);
        _clock.Advance(TimeSpan.FromMinutes(1));
        var outbox = new List<OutboxEntry>();
        await foreach (var entry in _store.GetStaleOutboxAsync(default))
        {
            outbox.Add(entry);
        }

        Assert.Equal(t0.AddSeconds(60), outbox.Single(e => e.Command.MessageId == second.Message.MessageId).NotBefore);
    }

    [Fact]
    public async Task A_zero_gap_key_sends_back_to_back()
    {
        var limits = Defaults with { RecipientGap = TimeSpan.Zero };
        await SendAsync("+14155550011", Priority.Normal, limits);

        var second = Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550011", Priority.Normal, limits));

        Assert.Null(second.Message.ScheduledFor);
    }

    [Fact]
    public async Task A_second_otp_inside_the_cooldown_is_refused_with_the_time_left()
    {
        Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550020", Priority.Otp));
        _clock.Advance(TimeSpan.FromSeconds(45));

        var refused = Assert.IsType<AcceptResult.OtpCooldown>(await SendAsync("+14155550020", Priority.Otp));
        Assert.Equal(TimeSpan.FromSeconds(15), refused.RetryAfter);
        Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550021", Priority.Otp));

        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550020", Priority.Otp));
    }

    [Fact]
    public async Task The_daily_cap_per_recipient_refuses_until_the_next_utc_day()
    {
        var limits = Defaults with { RecipientDailyCap = 3, RecipientGap = TimeSpan.Zero };
        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550030", Priority.Normal, limits));
        }

        var capped = Assert.IsType<AcceptResult.RecipientDailyCapReached>(await SendAsync("+14155550030", Priority.Normal, limits));
        Assert.Equal(3, capped.Cap);
        Assert.Equal(TimeSpan.FromHours(14), capped.RetryAfter);
        Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550031", Priority.Normal, limits));

        _clock.Advance(TimeSpan.FromHours(14));
        Assert.IsType<AcceptResult.Accepted>(await SendAsync("+14155550030", Priority.Normal, limits));
    }
}
