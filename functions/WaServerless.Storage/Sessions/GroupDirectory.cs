using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Engines;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Sessions;

/// <summary>A session's groups as its engine last listed them, and when.</summary>
public sealed record GroupListing(DateTimeOffset ListedAt, IReadOnlyList<GroupInfo> Groups);

/// <summary>
/// The groups each session's number is in, as the connector last listed them from the engine
/// (the API has no engine of its own). sessiongroups: PartitionKey the session key, RowKey the group
/// id, and one row "~listed" whose time says when the list was taken.
/// </summary>
public sealed class GroupDirectory(StorageClients clients, TimeProvider time)
{
    private const string ListedRow = "~listed";

    private TableClient Table => clients.Table(TableNames.SessionGroups);

    public async Task<GroupListing?> GetAsync(string sessionKey, CancellationToken cancellationToken)
    {
        DateTimeOffset? listedAt = null;
        var groups = new List<GroupInfo>();
        await foreach (var row in Table.QueryAsync<TableEntity>(e => e.PartitionKey == sessionKey, cancellationToken: cancellationToken))
        {
            if (row.RowKey == ListedRow)
            {
                listedAt = row.GetDateTimeOffset("ListedAt");
            }
            else
            {
                groups.Add(new GroupInfo(row.RowKey, row.GetString("Name") ?? string.Empty, row.GetInt32("Participants") ?? 0));
            }
        }

        return listedAt is { } at ? new GroupListing(at, groups) : null;
    }

    /// <summary>Replaces the session's list with <paramref name="groups"/>: groups left are removed, and the listing time written last.</summary>
    public async Task ReplaceAsync(string sessionKey, IReadOnlyList<GroupInfo> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var keep = groups.Where(g => TableKeys.IsValid(g.Id)).GroupBy(g => g.Id, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var actions = keep.Select(g => new TableTransactionAction(
            TableTransactionActionType.UpsertReplace,
            new TableEntity(sessionKey, g.Id) { ["Name"] = g.Name, ["Participants"] = g.Participants })).ToList();

        var ids = keep.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        await foreach (var row in Table.QueryAsync<TableEntity>(e => e.PartitionKey == sessionKey, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (row.RowKey != ListedRow && !ids.Contains(row.RowKey))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(sessionKey, row.RowKey) { ETag = ETag.All }));
            }
        }

        // One partition: at most 100 actions per transaction; the listing time goes last, so a reader never sees it before the groups.
        foreach (var chunk in actions.Chunk(100))
        {
            await Table.SubmitTransactionAsync(chunk, cancellationToken);
        }

        await Table.UpsertEntityAsync(new TableEntity(sessionKey, ListedRow) { ["ListedAt"] = time.GetUtcNow() }, TableUpdateMode.Replace, cancellationToken);
    }
}
