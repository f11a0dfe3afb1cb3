using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Messages;

/// <summary>One unit of a counted limit, taken from this instance's block.</summary>
public readonly record struct AllowanceUnit(bool Granted, long Remaining)
{
    public static AllowanceUnit Refused => new(false, 0);
}

/// <summary>
/// Counted limits (an account's monthly quota, a key's submissions this minute) without a shared row
/// rewritten by every send. Each instance leases a block of units from the counter row (one
/// optimistic read-and-replace per block) and hands them out from memory, so concurrent sends of
/// one account do not serialise on that row.
/// The bound: the row's Granted never passes the limit, so no more than the limit is ever accepted
/// across all instances. Units leased and not used are counted as used: while another instance holds
/// unused units, a caller may be refused up to (instances - 1) x <see cref="MessageStoreOptions.MaxAllowanceBlock"/>
/// early; an instance that stops hands its unused monthly units back, one that is killed keeps them
/// counted until the period turns. Blocks start at a sixteenth of the limit (one unit for a limit
/// under 32, which stays exact) and double while they are used up quickly.
/// </summary>
public sealed class AllowanceLeases(StorageClients clients, TimeProvider time, IOptions<MessageStoreOptions> options) : IAsyncDisposable
{
    private const int MaxConcurrencyRetries = 32;

    private readonly ConcurrentDictionary<(string Partition, string RowKey), Block> _blocks = new();

    private TableClient Table => clients.Table(TableNames.Messages);

    /// <summary>
    /// Takes one unit of the counter <paramref name="rowKey"/> in <paramref name="partition"/> for
    /// <paramref name="period"/> (a new period starts the count again), or refuses when
    /// <paramref name="limit"/> units of the period are already granted.
    /// </summary>
    public async ValueTask<AllowanceUnit> TakeAsync(string partition, string rowKey, string period, long limit, CancellationToken cancellationToken)
    {
        var block = _blocks.GetOrAdd((partition, rowKey), _ => new Block());
        while (true)
        {
            lock (block)
            {
                if (block.Period == period && block.Unused > 0)
                {
                    block.Unused--;
                    return new AllowanceUnit(true, RemainingLocked(block, limit));
                }
            }

            await block.Refill.WaitAsync(cancellationToken);
            try
            {
                lock (block)
                {
                    // Someone else refilled while this caller waited.
                    if (block.Period == period && block.Unused > 0)
                    {
                        continue;
                    }
                }

                if (!await RefillAsync(block, partition, rowKey, period, limit, cancellationToken))
                {
                    return AllowanceUnit.Refused;
                }
            }
            finally
            {
                block.Refill.Release();
            }
        }
    }

    /// <summary>A unit taken for a send that was then not accepted (a replay, a refusal): it goes back to this instance's block.</summary>
    public void Return(string partition, string rowKey, string period)
    {
        if (_blocks.TryGetValue((partition, rowKey), out var block))
        {
            lock (block)
            {
                if (block.Period == period)
                {
                    block.Unused++;
                }
            }
        }
    }

    /// <summary>Hands the unused units of every block of <paramref name="period"/> back to their rows (an instance that stops).</summary>
    public async Task ReturnUnusedAsync(Func<string, bool> periodStillCounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(periodStillCounts);
        foreach (var ((partition, rowKey), block) in _blocks)
        {
            long unused;
            string? period;
            lock (block)
            {
                (unused, period) = (block.Unused, block.Period);
                block.Unused = 0;
            }

            if (unused == 0 || period is null || !periodStillCounts(period))
            {
                continue;
            }

            for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
            {
                var row = await Table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
                if (!row.HasValue || row.Value!.GetString("Period") != period)
                {
                    break;
                }

                var entity = row.Value!;
                entity["Granted"] = Math.Max(0, (entity.GetInt64("Granted") ?? 0) - unused);
                try
                {
                    await Table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                    break;
                }
                catch (RequestFailedException e) when (e.Status == 412)
                {
                    // Another instance leased meanwhile: read again.
                }
            }
        }
    }

    /// <summary>At shutdown the monthly blocks go back (a minute's blocks lapse on their own within the minute).</summary>
    public async ValueTask DisposeAsync()
    {
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(3), time);
        try
        {
            var month = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
            await ReturnUnusedAsync(period => period == month, budget.Token);
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AggregateException or ObjectDisposedException)
        {
            // Best effort: units not handed back stay counted as used until the period turns.
        }
    }

    private static long GrantedOf(TableEntity? row, string period) => row switch
    {
        null => 0,
        _ when row.GetString("Period") is { } p => p == period ? row.GetInt64("Granted") ?? 0 : 0,
        // Rows written before the leases: a minute's count, or the month's (its row key is the period).
        _ when row.GetString("Minute") is { } minute => minute == period ? row.GetInt32("Count") ?? 0 : 0,
        _ => row.GetInt64("Count") ?? 0,
    };

    private static long RemainingLocked(Block block, long limit) =>
        limit == long.MaxValue ? long.MaxValue : Math.Max(0, limit - block.GrantedTotal + block.Unused);

    /// <summary>Leases the next block from the row; false when the period's limit is all granted.</summary>
    private async Task<bool> RefillAsync(Block block, string partition, string rowKey, string period, long limit, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        long size;
        lock (block)
        {
            // A sixteenth of the limit to start with (one unit for small limits, so they stay exact),
            // doubling while blocks run out within a second of each other, halving back when they last.
            var max = options.Value.MaxAllowanceBlock;
            var initial = Math.Clamp(limit / 16, 1, max);
            size = block.Period != period ? initial
                : now - block.LeasedAt < TimeSpan.FromSeconds(1) ? Math.Min(block.Size * 2, max)
                : Math.Max(initial, block.Size / 2);
        }

        for (var attempt = 0; attempt < MaxConcurrencyRetries; attempt++)
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken);
            var existing = response.HasValue ? response.Value : null;
            var granted = GrantedOf(existing, period);
            var lease = Math.Min(size, limit - granted);
            if (lease <= 0)
            {
                return false;
            }

            var next = new TableEntity(partition, rowKey) { ["Period"] = period, ["Granted"] = granted + lease };
            try
            {
                if (existing is null)
                {
                    await Table.AddEntityAsync(next, cancellationToken);
                }
                else
                {
                    await Table.UpdateEntityAsync(next, existing.ETag, TableUpdateMode.Replace, cancellationToken);
                }
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another instance leased meanwhile: read again.
                continue;
            }

            lock (block)
            {
                block.Unused = block.Period == period ? block.Unused + lease : lease;
                block.Period = period;
                block.GrantedTotal = granted + lease;
                block.Size = lease;
                block.LeasedAt = now;
            }

            return true;
        }

        throw new RequestFailedException(503, "The account is too busy: its counters stayed contended; try again.");
    }

    private sealed class Block
    {
        public SemaphoreSlim Refill { get; } = new(1, 1);

        public string? Period { get; set; }

        public long Unused { get; set; }

        public long GrantedTotal { get; set; }

        public long Size { get; set; } = 1;

        public DateTimeOffset LeasedAt { get; set; } = DateTimeOffset.MinValue;
    }
}
