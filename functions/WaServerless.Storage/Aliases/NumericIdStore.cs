using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Aliases;

/// <summary>What an integer alias stands for: a message sent, or one received.</summary>
public enum AliasKind
{
    Outgoing,
    Incoming,
}

/// <summary>
/// Integer ids for the APIs whose clients expect integers (SMSGlobal's messages), beside this API's
/// string ids. An alias is made the first time an id is shown through such an API and kept for
/// good: two rows in the account's partition, written in one transaction (alias to id, id to
/// alias). Aliases are the milliseconds since 2020 times 1,000 plus a random 0..999: increasing,
/// within JavaScript's safe integers for two centuries, and retried on the rare collision.
/// </summary>
public sealed class NumericIdStore(StorageClients clients, TimeProvider time)
{
    private const int Attempts = 5;
    private const int ParallelReads = 16;
    private static readonly long Epoch = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private TableClient Table => clients.Table(TableNames.NumericIds);

    /// <summary>The alias of an id, made now if it has none yet.</summary>
    public async Task<long> AliasOfAsync(string accountId, AliasKind kind, string id, CancellationToken cancellationToken) =>
        await FindAliasAsync(accountId, kind, id, cancellationToken) ?? await NewAliasAsync(accountId, kind, id, cancellationToken);

    /// <summary>
    /// An alias for an id just made, which cannot have one yet: no read first. Should another
    /// request have given it one meanwhile, that one is answered.
    /// </summary>
    public async Task<long> NewAliasAsync(string accountId, AliasKind kind, string id, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var alias = ((time.GetUtcNow().ToUnixTimeMilliseconds() - Epoch) * 1000) + RandomNumberGenerator.GetInt32(1000);
            try
            {
                await Table.SubmitTransactionAsync(
                    [
                        new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(accountId, AliasKey(alias)) { ["Kind"] = kind.ToString(), ["Target"] = id }),
                        new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(accountId, TargetKey(kind, id)) { ["Alias"] = alias }),
                    ],
                    cancellationToken);
                return alias;
            }
            catch (TableTransactionFailedException e) when (e.Status == 409)
            {
                // Either another request gave this id its alias first (take that one), or the number was taken.
                if (await FindAliasAsync(accountId, kind, id, cancellationToken) is { } raced)
                {
                    return raced;
                }

                if (attempt == Attempts)
                {
                    throw;
                }
            }
        }
    }

    /// <summary>The aliases of several ids (a page of a list), made where missing.</summary>
    public async Task<IReadOnlyDictionary<string, long>> AliasesOfAsync(string accountId, AliasKind kind, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var found = new System.Collections.Concurrent.ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            ids.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = cancellationToken },
            async (id, ct) => found[id] = await AliasOfAsync(accountId, kind, id, ct));
        return found;
    }

    /// <summary>The id an alias stands for, if it is one of the account's of that kind.</summary>
    public async Task<string?> ResolveAsync(string accountId, AliasKind kind, long alias, CancellationToken cancellationToken)
    {
        if (alias <= 0)
        {
            return null;
        }

        var row = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, AliasKey(alias), cancellationToken: cancellationToken);
        return row.HasValue && row.Value!.GetString("Kind") == kind.ToString() ? row.Value.GetString("Target") : null;
    }

    private async Task<long?> FindAliasAsync(string accountId, AliasKind kind, string id, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, TargetKey(kind, id), cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetInt64("Alias") : null;
    }

    private static string AliasKey(long alias) => "n_" + alias.ToString("D19", CultureInfo.InvariantCulture);

    // Ids reach here only after they were found in storage, so they are valid keys already.
    private static string TargetKey(AliasKind kind, string id) => (kind == AliasKind.Outgoing ? "o_" : "i_") + id;
}
