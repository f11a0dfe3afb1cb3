using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Engines;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Sessions;

/// <summary>A number's answer as stored: checked (with when), or still waiting for the connector.</summary>
public sealed record StoredNumberCheck(string Number, bool? Exists, string? WaId, DateTimeOffset? CheckedAt, DateTimeOffset RequestedAt)
{
    public bool IsPending => CheckedAt is null;
}

/// <summary>
/// Whether numbers are on WhatsApp, per account: the cache the API answers from, and the requests
/// the connector answers through the session's engine. numberchecks: PartitionKey the account,
/// RowKey the number's digits; a row marked Pending is a request the connector has yet to answer;
/// rows "~allowance~{key}~{hour}" count each key's checks per hour.
/// </summary>
public sealed class NumberCheckStore(StorageClients clients, TimeProvider time)
{
    private TableClient Table => clients.Table(TableNames.NumberChecks);

    /// <summary>The stored answers for <paramref name="numbers"/> (E.164) that exist, checked or pending.</summary>
    public async Task<IReadOnlyDictionary<string, StoredNumberCheck>> GetAsync(string accountId, IReadOnlyCollection<string> numbers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var found = new Dictionary<string, StoredNumberCheck>(StringComparer.Ordinal);
        if (numbers.Count == 0)
        {
            return found;
        }

        if (numbers.Count <= 20)
        {
            foreach (var number in numbers)
            {
                var row = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, Key(number), cancellationToken: cancellationToken);
                if (row.HasValue)
                {
                    found[number] = FromEntity(row.Value!);
                }
            }

            return found;
        }

        // Many numbers: one partition scan beats a point read each.
        var wanted = numbers.ToHashSet(StringComparer.Ordinal);
        await foreach (var row in Table.QueryAsync<TableEntity>(e => e.PartitionKey == accountId, cancellationToken: cancellationToken))
        {
            if (row.RowKey.StartsWith('~'))
            {
                continue;
            }

            var stored = FromEntity(row);
            if (wanted.Contains(stored.Number))
            {
                found[stored.Number] = stored;
            }
        }

        return found;
    }

    /// <summary>Asks for <paramref name="numbers"/> to be checked: each becomes a pending row (a stale answer stays readable until replaced).</summary>
    public async Task RequestAsync(string accountId, IReadOnlyCollection<string> numbers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var now = time.GetUtcNow();
        foreach (var chunk in numbers.Chunk(100))
        {
            await Table.SubmitTransactionAsync(
                chunk.Select(n => new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(accountId, Key(n)) { ["RequestedAt"] = now, ["Pending"] = true })),
                cancellationToken);
        }
    }

    /// <summary>The account's pending requests, oldest first, at most <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(string accountId, int max, CancellationToken cancellationToken)
    {
        var pending = new List<StoredNumberCheck>();
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and Pending eq {true}"), cancellationToken: cancellationToken))
        {
            pending.Add(FromEntity(row));
        }

        return [.. pending.OrderBy(p => p.RequestedAt).Take(max).Select(p => p.Number)];
    }

    public async Task RecordAsync(string accountId, IReadOnlyList<NumberCheck> answers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answers);
        var now = time.GetUtcNow();
        foreach (var chunk in answers.DistinctBy(a => a.Number).Chunk(100))
        {
            await Table.SubmitTransactionAsync(
                chunk.Select(a => new TableTransactionAction(TableTransactionActionType.UpsertMerge, new TableEntity(accountId, Key(a.Number))
                {
                    ["Exists"] = a.Exists,
                    ["WaId"] = a.WaId ?? string.Empty,
                    ["CheckedAt"] = now,
                    ["Pending"] = false,
                })),
                cancellationToken);
        }
    }

    /// <summary>
    /// Counts <paramref name="count"/> checks against key <paramref name="keyId"/>'s hourly allowance
    /// of <paramref name="perHour"/>: all or none. Returns null when taken, else how long until the
    /// hour turns. The counter row sits in the account's partition, written with its ETag, so
    /// instances never both take the last of it.
    /// </summary>
    public async Task<TimeSpan?> TryTakeAllowanceAsync(string accountId, string keyId, int count, int perHour, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
            var untilNextHour = hour.AddHours(1) - now;
            var rowKey = FormattableString.Invariant($"~allowance~{keyId}~{hour:yyyyMMddHH}");
            var row = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, rowKey, cancellationToken: cancellationToken);
            var used = row.HasValue ? row.Value!.GetInt32("Used") ?? 0 : 0;
            if (used + count > perHour)
            {
                return untilNextHour;
            }

            try
            {
                var entity = new TableEntity(accountId, rowKey) { ["Used"] = used + count };
                if (row.HasValue)
                {
                    await Table.UpdateEntityAsync(entity, row.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await Table.AddEntityAsync(entity, cancellationToken);
                }

                return null;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 10)
            {
                // Another request took some at the same moment: read again.
            }
        }
    }

    // The digits alone: E.164's "+" is the same for every row.
    private static string Key(string e164) => e164.TrimStart('+');

    private static StoredNumberCheck FromEntity(TableEntity e)
    {
        var pending = e.GetBoolean("Pending") == true;
        var waId = e.GetString("WaId");
        return new StoredNumberCheck(
            "+" + e.RowKey,
            pending && e.GetDateTimeOffset("CheckedAt") is null ? null : e.GetBoolean("Exists"),
            string.IsNullOrEmpty(waId) ? null : waId,
            pending ? null : e.GetDateTimeOffset("CheckedAt"),
            e.GetDateTimeOffset("RequestedAt") ?? e.GetDateTimeOffset("CheckedAt") ?? DateTimeOffset.MinValue);
    }
}
