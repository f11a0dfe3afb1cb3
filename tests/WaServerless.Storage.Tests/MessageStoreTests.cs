using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Accounts;
using WaServerless.Core.Consent;
using WaServerless.Core.Contracts;
using WaServerless.Core.Limits;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Messages;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>The accept transaction, idempotency and quota against a real Azurite.</summary>
public sealed class MessageStoreTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private StorageClients _clients = null!;
    private MessageStore _store = null!;
    private Account _account = null!;
    private Caller _caller = null!;

    private static readonly SendLimits Limits = new(1000, 1000, TimeSpan.Zero, 1000, TimeSpan.Zero);

    public async Task InitializeAsync()
    {
        var azurite = await Azurite.Shared;
        _clients = azurite.Clients();
        await new StorageInitializer(_clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        _store = new MessageStore(_clients, _clock, Options.Create(new MessageStoreOptions()), new AllowanceLeases(_clients, _clock, Options.Create(new MessageStoreOptions())));
        _account = await new AccountStore(_clients, _clock).CreateAsync("Test", "starter", 1000, null, null, default);
        _caller = CallerOf(_account);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static Caller CallerOf(Account account) =>
        new(new ApiKeyRecord("key_1", account.Id, "test", "SM-xxxxxxxx", DateTimeOffset.UnixEpoch, null, null), account);

    private (SendRequest Request, SendCommand Command) NewSend(string text = "hello", string? idempotencyKey = null, string recipient = "+14155550123", Priority? priority = null)
    {
        var request = new SendRequest(recipient, new TextContent(text), priority ?? Priority.Normal, idempotencyKey);
        var command = new SendCommand
        {
            MessageId = MessageIds.New(_clock),
            AccountId = _account.Id,
            SessionKey = "default",
            Recipient = request.Recipient,
            Content = request.Content,
            Priority = request.Priority.Value,
            AcceptedAt = _clock.GetUtcNow(),
        };
        return (request, command);
    }

    private Task<AcceptResult> AcceptAsync((SendRequest Request, SendCommand Command) send, Account? account = null, SendLimits? limits = null) =>
        _store.AcceptAsync(
            account is null ? _caller : CallerOf(account),
            (limits ?? Limits) with { MonthlyQuota = (account ?? _account).MonthlyQuota },
            send.Request,
            send.Command,
            (m, remaining) => new StoredResponse(202, $"{{\"id\":\"{m.MessageId}\",\"remaining\":{remaining}}}"),
            default);

    private MessageStore OtherInstance() =>
        new(_clients, _clock, Options.Create(new MessageStoreOptions()), new AllowanceLeases(_clients, _clock, Options.Create(new MessageStoreOptions())));

    [Fact]
    public async Task An_opt_out_written_by_another_instance_refuses_the_next_send_without_a_read_before_it()
    {
        const string recipient = "+14155550171";
        Assert.IsType<AcceptResult.Accepted>(await AcceptAsync(NewSend(recipient: recipient)));

        // This instance remembers the recipient's row; the opt-out arrives through another one.
        Assert.True(await OtherInstance().SetConsentAsync(_account.Id, recipient, RecipientConsent.OptedOut, "Grace", ConsentSources.Inbound, default));

        Assert.IsType<AcceptResult.RecipientOptedOut>(await AcceptAsync(NewSend(recipient: recipient)));
        Assert.Equal(RecipientConsent.OptedOut, await _store.ConsentOfAsync(_account.Id, recipient, default));
        var page = await _store.ListAsync(_account.Id, new MessageQuery(null, recipient, null, null), 100, null, default);
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task Consent_writes_keep_the_recipients_send_state_and_sends_keep_the_consent()
    {
        const string recipient = "+14155550172";
        var capOfTwo = Limits with { RecipientDailyCap = 2 };
        Assert.IsType<AcceptResult.Accepted>(await AcceptAsync(NewSend(recipient: recipient), limits: capOfTwo));

        Assert.True(await OtherInstance().SetConsentAsync(_account.Id, recipient, RecipientConsent.OptedIn, "Ada", ConsentSources.Api, default));
        Assert.False(await OtherInstance().SetConsentAsync(_account.Id, recipient, RecipientConsent.OptedIn, "Ada", ConsentSources.Api, default));

        Assert.IsType<AcceptResult.Accepted>(await AcceptAsync(NewSend(recipient: recipient), limits: capOfTwo));
        Assert.IsType<AcceptResult.RecipientDailyCapReached>(await AcceptAsync(NewSend(recipient: recipient), limits: capOfTwo));
        Assert.Equal(RecipientConsent.OptedIn, await _store.ConsentOfAsync(_account.Id, recipient, default));
        var (listed, _) = await _store.ListOptedInAsync(_account.Id, 100, null, default);
        Assert.Contains(listed, r => r.Number == recipient && r.Name == "Ada" && r.Source == ConsentSources.Api);
    }

    [Fact]
    public async Task Taking_back_an_opt_in_never_clears_an_opt_out()
    {
        const string recipient = "+14155550174";
        Assert.False(await _store.RemoveOptInAsync(_account.Id, recipient, default));

        await _store.SetConsentAsync(_account.Id, recipient, RecipientConsent.OptedOut, null, ConsentSources.Inbound, default);
        Assert.False(await _store.RemoveOptInAsync(_account.Id, recipient, default));
        Assert.Equal(RecipientConsent.OptedOut, await _store.ConsentOfAsync(_account.Id, recipient, default));

        await _store.SetConsentAsync(_account.Id, recipient, RecipientConsent.OptedIn, null, ConsentSources.Api, default);
        Assert.True(await _store.RemoveOptInAsync(_account.Id, recipient, default));
        Assert.Equal(RecipientConsent.None, await _store.ConsentOfAsync(_account.Id, recipient, default));
    }

    [Fact]
    public async Task A_plan_that_requires_opt_in_refuses_recipients_without_it()
    {
        const string recipient = "+14155550173";
        var optInOnly = Limits with { RequireOptIn = true };

        Assert.IsType<AcceptResult.RecipientNotOptedIn>(await AcceptAsync(NewSend(recipient: recipient), limits: optInOnly));
        await _store.SetConsentAsync(_account.Id, recipient, RecipientConsent.OptedIn, null, ConsentSources.Api, default);
        Assert.IsType<AcceptResult.Accepted>(await AcceptAsync(NewSend(recipient: recipient), limits: optInOnly));
    }

    [Fact]
    public async Task Accepting_stores_the_message_queued_with_its_outbox_row_and_counts_it()
    {
        var send = NewSend();

        var result = Assert.IsType<AcceptResult.Accepted>(await AcceptAsync(send));

        var stored = await _store.GetAsync(_account.Id, send.Command.MessageId, default);
        Assert.NotNull(stored);
        Assert.Equal(MessageStatus.Queued, stored.Status);
        Assert.Equal(new TextContent("hello"), stored.Content);
        Assert.Contains("\"remaining\":999", result.Response.Body, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromMinutes(1));
        var stale = await ToListAsync(_store.GetStaleOutboxAsync(default));
        Assert.Equal(send.Command.MessageId, Assert.Single(stale).Command.MessageId);
    }

    [Fact]
    public async Task Completing_the_outbox_removes_the_message_from_the_sweep()
    {
        var send = NewSend();
        await AcceptAsync(send);

        await _store.CompleteOutboxAsync(_account.Id, send.Command.MessageId, default);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await ToListAsync(_store.GetStaleOutboxAsync(default)));
    }

    [Fact]
    public async Task A_repeated_idempotency_key_replays_the_first_response_and_stores_nothing_new()
    {
        var first = Assert.IsType<AcceptResult.Accepted>(await AcceptAsync(NewSend(idempotencyKey: "k1")));

        var again = Assert.IsType<AcceptResult.Replayed>(await AcceptAsync(NewSend(idempotencyKey: "k1")));

        Assert.Equal(first.Response, again.Response);
        var page = await _store.ListAsync(_account.Id, new MessageQuery(null, null, null, null), 100, null, default);
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task A_different_request_under_a_used_key_is_a_mismatch()
    {
        await AcceptAsync(NewSend("one", "k2"));

        Assert.IsType<AcceptResult.IdempotencyMismatch>(await AcceptAsync(NewSend("two", "k2")));
    }

    [Fact]
    public async Task An_expired_idempotency_key_accepts_a_new_message()
    {
        await AcceptAsync(NewSend("one", "k3"));
        _clock.Advance(TimeSpan.FromHours(25));

        Assert.IsType<AcceptResult.Accepted>(await AcceptAsync(NewSend("two", "k3")));
    }

    [Fact]
    public async Task Concurrent_requests_with_one_key_produce_exactly_one_message()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => AcceptAsync(NewSend(idempotencyKey: "race"))));

        Assert.Single(results.OfType<AcceptResult.Accepted>());
        Assert.Equal(11, results.OfType<AcceptResult.Replayed>().Count());
        var page = await _store.ListAsync(_account.Id, new MessageQuery(null, null, null, null), 100, null, default);
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task Concurrent_requests_never_exceed_the_monthly_quota()
    {
        var small = await new AccountStore(_clients, _clock).CreateAsync("Small", "starter", 5, null, null, default);
        var sends = Enumerable.Range(0, 12).Select(i => NewSend(recipient: $"+1415555{i:D4}")).ToList();

        var results = await Task.WhenAll(sends.Select(s => AcceptAsync((s.Request, s.Command with { AccountId = small.Id }), small)));

        Assert.Equal(5, results.OfType<AcceptResult.Accepted>().Count());
        Assert.Equal(7, results.OfType<AcceptResult.QuotaExceeded>().Count());
        var remaining = results.OfType<AcceptResult.Accepted>().Select(a => a.Response.Body).Order().ToList();
        Assert.All(remaining, body => Assert.DoesNotContain("\"remaining\":-", body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Status_moves_forward_only_and_a_duplicate_receipt_changes_nothing()
    {
        var send = NewSend();
        await AcceptAsync(send);
        var id = send.Command.MessageId;
        var t = _clock.GetUtcNow();

        Assert.True((await _store.TryAdvanceAsync(_account.Id, id, new StatusUpdate(MessageStatus.Sending, t, 1), default)).Changed);
        Assert.True((await _store.TryAdvanceAsync(_account.Id, id, new StatusUpdate(MessageStatus.Sent, t, 1, EngineMessageId: "e1"), default)).Changed);
        Assert.True((await _store.TryAdvanceAsync(_account.Id, id, new StatusUpdate(MessageStatus.Read, t.AddSeconds(2)), default)).Changed);
        Assert.False((await _store.TryAdvanceAsync(_account.Id, id, new StatusUpdate(MessageStatus.Delivered, t.AddSeconds(1)), default)).Changed);
        Assert.False((await _store.TryAdvanceAsync(_account.Id, id, new StatusUpdate(MessageStatus.Read, t.AddSeconds(3)), default)).Changed);

        var stored = (await _store.GetAsync(_account.Id, id, default))!;
        Assert.Equal(MessageStatus.Read, stored.Status);
        Assert.Equal("e1", stored.EngineMessageId);
        Assert.Equal([MessageStatus.Queued, MessageStatus.Sending, MessageStatus.Sent, MessageStatus.Read], stored.History.Select(h => h.Status));
    }

    [Fact]
    public async Task Listing_filters_by_status_recipient_and_time_and_pages_with_a_cursor()
    {
        for (var i = 0; i < 5; i++)
        {
            await AcceptAsync(NewSend($"m{i}"));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        var other = NewSend("other");
        await _store.AcceptAsync(_caller, Limits, other.Request with { Recipient = "+442071838750" }, other.Command, (m, r) => new StoredResponse(202, "{}"), default);

        var all = new List<MessageRecord>();
        string? cursor = null;
        do
        {
            var page = await _store.ListAsync(_account.Id, new MessageQuery(null, "+14155550123", null, null), 2, cursor, default);
            Assert.True(page.Items.Count <= 2);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(5, all.Count);
        Assert.Equal(all.OrderByDescending(m => m.AcceptedAt).Select(m => m.MessageId), all.Select(m => m.MessageId));

        var start = new DateTimeOffset(2026, 11, 23, 10, 1, 0, TimeSpan.Zero);
        var window = await _store.ListAsync(_account.Id, new MessageQuery(MessageStatus.Queued, "+14155550123", start, start.AddMinutes(2)), 100, null, default);
        Assert.Equal(3, window.Items.Count);
    }

    [Fact]
    public async Task Another_account_cannot_read_the_message()
    {
        var send = NewSend();
        await AcceptAsync(send);

        Assert.Null(await _store.GetAsync("acc_someone_else", send.Command.MessageId, default));
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
