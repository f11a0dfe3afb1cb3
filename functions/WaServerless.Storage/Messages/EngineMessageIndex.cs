using Azure.Data.Tables;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Messages;

/// <summary>
/// Finds our message from the id an engine gave it, because receipts (delivered, read) carry only
/// the engine's id. PartitionKey is the engine message id itself.
/// </summary>
public sealed class EngineMessageIndex(StorageClients clients)
{
    private TableClient Table => clients.Table(TableNames.EngineMessageIds);

    public async Task RecordAsync(string engineMessageId, string accountId, string messageId, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(Key(engineMessageId), string.Empty)
        {
            ["AccountId"] = accountId,
            ["MessageId"] = messageId,
        };
        await Table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<(string AccountId, string MessageId)?> FindAsync(string engineMessageId, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(Key(engineMessageId), string.Empty, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            return null;
        }

        var e = response.Value!;
        return (e.GetString("AccountId")!, e.GetString("MessageId")!);
    }

    // Engine ids can hold characters a partition key may not (/, \, #, ?).
    private static string Key(string engineMessageId) =>
        Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(engineMessageId)).Replace('/', '_').Replace('+', '-');
}
