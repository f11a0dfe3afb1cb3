using System.Text;
using Azure;
using Azure.Data.Tables;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Workflows.Signals;

/// <summary>
/// Orchestration instances waiting for a WhatsApp session to reconnect (a retry after a disconnect,
/// a campaign paused by one), so that "session connected" reaches exactly them. Table
/// "sessionwaiters": PartitionKey the account and session, RowKey the instance id.
/// </summary>
public sealed class SessionWaiters(StorageClients clients)
{
    public const string TableName = "sessionwaiters";

    private TableClient Table => clients.Table(TableName);

    public async Task AddAsync(string accountId, string sessionId, string instanceId, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Key(accountId + "\n" + sessionId), Key(instanceId))
        {
            ["AccountId"] = accountId,
            ["SessionId"] = sessionId,
            ["InstanceId"] = instanceId,
        };
        await Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ListAsync(string accountId, string sessionId, CancellationToken cancellationToken)
    {
        var items = new List<string>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Key(accountId + "\n" + sessionId)}"), cancellationToken: cancellationToken))
        {
            if (e.GetString("InstanceId") is { } id)
            {
                items.Add(id);
            }
        }

        return items;
    }

    public async Task RemoveAsync(string accountId, string sessionId, string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(Key(accountId + "\n" + sessionId), Key(instanceId), ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone: another signal got there first.
        }
    }

    // Keys may not hold / \ # ? or control characters; ids from outside could.
    private static string Key(string value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(value)).Replace('/', '_').Replace('+', '-');
}
