using Azure.Data.Tables;
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

/// <summary>
/// The accept path under concurrency: one account's concurrent sends do not serialise on shared rows
/// (no contention refusals), the counted limits hold exactly across instances, a warm accept costs one
/// table transaction, and rows written elsewhere are read only when they turn out not to be as assumed.
/// </summary>
public sealed class AcceptPathTests : IAsyncLifetime
{
    private static readonly SendLimits Unlimited = new(long.MaxValue, 1_000_000, TimeSpan.Zero, 1000, TimeSpan.FromSeconds(60));

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 10, 0, 30, TimeSpan.Zero));
    private readonly MessageStoreOptions _options = new();
    private string _prefix = null!;
    private Azurite _azurite = null!;
    private Caller _caller = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.Shared;
        _prefix = Azurite.NewPrefix();
        var clients = _azurite.Clients(_prefix);
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        var account = await new AccountStore(clients, _clock).CreateAsync("Accept path", "starter", long.MaxValue, null, null, default);
        _caller = new Caller(new ApiKeyRecord("key_accept", account.Id, "t", "SM-xxxxxxxx", DateTimeOffset.UnixEpoch, null, null), account);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>One API instance: its own clients (so its own request counts), leases and store, on the shared tables.</summary>
    private (MessageStore Store, StorageClients Clients, AllowanceLeases Leases) NewInstance()
    {
        var clients = _azurite.Clients(_prefix);
        var options = Options.Create(_options);
        var leases = new AllowanceLeases(clients, _clock, options);
        return (new MessageStore(clients, _clock, options, leases), clients, leases);
    }

    private Task<AcceptResult> SendAsync(MessageStore store, string recipient, SendLimits limits, string? idempotencyKey = null, string text = "hi")
    {
        var request = new SendRequest(recipient, new TextContent(text), Priority.Normal, idempotencyKey);
        var command = new SendCommand
        {
            MessageId = MessageIds.New(_clock),
            AccountId = _caller.Account.Id,
            SessionKey = "default",
            Recipient = recipient,
            Content = request.Content,
            Priority = Priority.Normal.Value,
            AcceptedAt = _clock.GetUtcNow(),
        };
        return store.AcceptAsync(_caller, limits, request, command, (m, remaining) => new StoredResponse(202, $"{m.MessageId} {remaining}"), default);
    }

    private static string Recipient(int i) => "+1415" + (3_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Sixty_four_concurrent_sends_of_one_account_are_all_accepted_without_a_contention_refusal()
    {
        var (store, clients, _) = NewInstance();
        var limits = Unlimited with { MonthlyQuota = 1_000_000 };

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => SendAsync(store, Recipient(i), limits)));

        var accepted = results.OfType<AcceptResult.Accepted>().ToList();
        Assert.Equal(64, accepted.Count);
        var table = clients.Table(TableNames.Messages);
        foreach (var a in accepted)
        {
            Assert.True((await table.GetEntityIfExistsAsync<TableEntity>(_caller.Account.Id, MessageStore.MessageRowKey(a.Message.MessageId))).HasValue);
        }

        // Every unit handed out was granted on the row: the month's count is at least what was accepted.
        var usage = await table.GetEntityAsync<TableEntity>(_caller.Account.Id, "u_2026-11");
        Assert.InRange(usage.Value.GetInt64("Granted") ?? 0, 64, 64 + _options.MaxAllowanceBlock);
    }

    [Fact]
    public async Task A_warm_accept_to_a_new_recipient_is_one_table_transaction_and_no_read()
    {
        var (store, clients, _) = NewInstance();
        var limits = Unlimited with { MonthlyQuota = 1_000_000 };
        Assert.IsType<AcceptResult.Accepted>(await SendAsync(store, Recipient(100), limits));

        var before = clients.Requests;
        Assert.IsType<AcceptResult.Accepted>(await SendAsync(store, Recipient(101), limits));
        var cost = clients.Requests - before;

        Assert.Equal(new StorageRequestCounts(TableReads: 0, TableWrites: 0, TableTransactions: 1, QueueRequests: 0, BlobRequests: 0), cost);
    }

    [Fact]
    public async Task A_second_send_to_a_recipient_this_instance_wrote_needs_no_read_either()
    {
        var (store, clients, _) = NewInstance();
        Assert.IsType<AcceptResult.Accepted>(await SendAsync(store, Recipient(200), Unlimited));

        var before = clients.Requests;
        Assert.IsType<AcceptResult.Accepted>(await SendAsync(store, Recipient(200), Unlimited));

        Assert.Equal(1, (clients.Requests - before).Total);
    }

    [Fact]
    public async Task The_monthly_quota_holds_exactly_across_two_instances_sending_until_refused()
    {
        const long Quota = 150;
        var limits = Unlimited with { MonthlyQuota = Quota };
        var a = NewInstance();
        var b = NewInstance();
        var next = 0;

        async Task<int> SendUntilRefusedAsync(MessageStore store)
        {
            var accepted = 0;
            while (true)
            {
                var result = await SendAsync(store, Recipient(1000 + Interlocked.Increment(ref next)), limits);
                if (result is AcceptResult.QuotaExceeded)
                {
                    return accepted;
                }

                Assert.IsType<AcceptResult.Accepted>(result);
                accepted++;
            }
        }

        var counts = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => SendUntilRefusedAsync(i % 2 == 0 ? a.Store : b.Store)));

        // Never more than the quota; and since both keep sending until refused, every leased unit is used.
        Assert.Equal(Quota, counts.Sum());
        Assert.True(counts[0] + counts[2] + counts[4] + counts[6] > 0 && counts[1] + counts[3] + counts[5] + counts[7] > 0, "both instances accepted sends");
    }

    [Fact]
    public async Task The_per_minute_limit_holds_across_instances_and_a_new_minute_starts_again()
    {
        var limits = Unlimited with { SubmissionsPerMinute = 40 };
        var a = NewInstance();
        var b = NewInstance();

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => SendAsync(i % 2 == 0 ? a.Store : b.Store, Recipient(2000 + i), limits)));

        Assert.Equal(40, results.OfType<AcceptResult.Accepted>().Count());
        Assert.Equal(60, results.OfType<AcceptResult.RateLimited>().Count());

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.IsType<AcceptResult.Accepted>(await SendAsync(b.Store, Recipient(2100), limits));
    }

    [Fact]
    public async Task A_stopping_instance_hands_its_unused_monthly_units_back()
    {
        var limits = Unlimited with { MonthlyQuota = 10_000 };
        var (store, clients, leases) = NewInstance();
        Assert.IsType<AcceptResult.Accepted>(await SendAsync(store, Recipient(3000), limits));
        var table = clients.Table(TableNames.Messages);
        Assert.True((await table.GetEntityAsync<TableEntity>(_caller.Account.Id, "u_2026-11")).Value.GetInt64("Granted") > 1, "a block of more than one unit was leased");

        await leases.DisposeAsync();

        Assert.Equal(1, (await table.GetEntityAsync<TableEntity>(_caller.Account.Id, "u_2026-11")).Value.GetInt64("Granted"));
    }

    [Fact]
    public async Task An_idempotent_repeat_through_another_instance_is_replayed_from_the_insert_only_row_and_gives_its_unit_back()
    {
        var limits = Unlimited with { MonthlyQuota = 3 };
        var a = NewInstance();
        var b = NewInstance();
        var first = Assert.IsType<AcceptResult.Accepted>(await SendAsync(a.Store, Recipient(4000), limits, "order-1"));

        var replayed = Assert.IsType<AcceptResult.Replayed>(await SendAsync(b.Store, Recipient(4000), limits, "order-1"));
        Assert.IsType<AcceptResult.IdempotencyMismatch>(await SendAsync(b.Store, Recipient(4000), limits, "order-1", text: "other"));

        Assert.Equal(first.Response.Body, replayed.Response.Body);
        // The replay and the mismatch used no quota: two more sends fit in the quota of three.
        Assert.IsType<AcceptResult.Accepted>(await SendAsync(b.Store, Recipient(4001), limits));
        Assert.IsType<AcceptResult.Accepted>(await SendAsync(a.Store, Recipient(4002), limits));
        Assert.IsType<AcceptResult.QuotaExceeded>(await SendAsync(b.Store, Recipient(4003), limits));
    }

    [Fact]
    public async Task A_recipient_written_by_another_instance_is_read_once_and_its_gap_still_applies()
    {
        var limits = Unlimited with { RecipientGap = TimeSpan.FromSeconds(60) };
        var a = NewInstance();
        var b = NewInstance();
        Assert.Null(Assert.IsType<AcceptResult.Accepted>(await SendAsync(a.Store, Recipient(5000), limits)).Message.ScheduledFor);

        // b has never seen this recipient: it assumes a new one, the transaction conflicts, it reads the row and schedules.
        var second = Assert.IsType<AcceptResult.Accepted>(await SendAsync(b.Store, Recipient(5000), limits));

        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromSeconds(60), second.Message.ScheduledFor);
    }

    [Fact]
    public async Task Outbox_rows_of_enqueued_messages_are_deleted_in_one_batch_and_one_already_gone_does_not_stop_the_rest()
    {
        var (store, clients, _) = NewInstance();
        var accepted = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            accepted.Add(Assert.IsType<AcceptResult.Accepted>(await SendAsync(store, Recipient(6000 + i), Unlimited)).Message.MessageId);
        }

        var completions = new OutboxCompletions(clients, _clock, NullLogger<OutboxCompletions>.Instance);
        foreach (var id in accepted)
        {
            completions.Complete(_caller.Account.Id, id);
        }

        var before = clients.Requests;
        await completions.FlushAsync(default);
        Assert.Equal(1, (clients.Requests - before).TableTransactions);

        // The sweeper got to one first: the batch fails on it, and the others still go one by one.
        var more = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            more.Add(Assert.IsType<AcceptResult.Accepted>(await SendAsync(store, Recipient(6100 + i), Unlimited)).Message.MessageId);
        }

        await store.CompleteOutboxAsync(_caller.Account.Id, more[1], default);
        foreach (var id in more.Append(accepted[0]))
        {
            completions.Complete(_caller.Account.Id, id);
        }

        await completions.FlushAsync(default);

        var left = clients.Table(TableNames.Messages).QueryAsync<TableEntity>(e => e.PartitionKey == _caller.Account.Id && e.RowKey.CompareTo("o_") >= 0 && e.RowKey.CompareTo("o`") < 0);
        Assert.Empty(await left.ToListAsync());
    }

    [Fact]
    public async Task A_transaction_whose_earlier_try_committed_is_accepted_once_instead_of_conflicting_until_a_503()
    {
        var (store, clients, _) = NewInstance();
        var request = new SendRequest(Recipient(7000), new TextContent("hi"), Priority.Normal, null);
        var command = new SendCommand
        {
            MessageId = MessageIds.New(_clock),
            AccountId = _caller.Account.Id,
            SessionKey = "default",
            Recipient = request.Recipient,
            Content = request.Content,
            Priority = Priority.Normal.Value,
            AcceptedAt = _clock.GetUtcNow(),
        };
        StoredResponse Respond(MessageRecord m, long remaining) => new(202, m.MessageId);
        Assert.IsType<AcceptResult.Accepted>(await store.AcceptAsync(_caller, Unlimited, request, command, Respond, default));

        // The same message once more, as when the SDK retries a transaction whose answer was lost.
        var again = Assert.IsType<AcceptResult.Accepted>(await store.AcceptAsync(_caller, Unlimited, request, command, Respond, default));

        Assert.Equal(command.MessageId, again.Message.MessageId);
        var rows = clients.Table(TableNames.Messages).QueryAsync<TableEntity>(e => e.PartitionKey == _caller.Account.Id && e.RowKey.CompareTo("m_") >= 0 && e.RowKey.CompareTo("m`") < 0);
        Assert.Single(await rows.ToListAsync());
    }
}
