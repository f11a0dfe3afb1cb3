using System.Threading.Channels;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Messages;

/// <summary>
/// Deletes the outbox rows of enqueued messages off the request path: an accepted send only notes
/// that its enqueue happened, and this loop deletes the rows in batches (gathered for a quarter of a
/// second), one transaction per account of up to 100 rows. A row whose delete never happens (the process died first) is found by the
/// outbox sweeper after its grace period and enqueued again, which the connector ignores for a
/// message already past queued.
/// </summary>
public sealed partial class OutboxCompletions(StorageClients clients, TimeProvider time, ILogger<OutboxCompletions> logger) : BackgroundService
{
    private const int MaxBatch = 100;

    /// <summary>How long the loop lets rows gather once one is noted, so a steady trickle still makes batches.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(250);

    private readonly Channel<(string AccountId, string MessageId)> _pending = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });

    private TableClient Table => clients.Table(TableNames.Messages);

    /// <summary>The message's command is on its queue: its outbox row may go.</summary>
    public void Complete(string accountId, string messageId) => _pending.Writer.TryWrite((accountId, messageId));

    /// <summary>Deletes every row noted so far (the loop's step; tests call it to make the deletes happen now).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = new List<(string AccountId, string MessageId)>();
        while (batch.Count < MaxBatch * 10 && _pending.Reader.TryRead(out var item))
        {
            batch.Add(item);
        }

        foreach (var account in batch.GroupBy(b => b.AccountId, StringComparer.Ordinal))
        {
            foreach (var chunk in account.Select(a => a.MessageId).Distinct(StringComparer.Ordinal).Chunk(MaxBatch))
            {
                await DeleteAsync(account.Key, chunk, cancellationToken);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Linger, time, stoppingToken);
                try
                {
                    await FlushAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Rows left behind are swept after their grace period.
                    LogDeleteFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // What was noted before the stop is deleted now rather than swept (and enqueued again) later.
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AggregateException)
        {
            LogDeleteFailed(logger, e);
        }
    }

    private async Task DeleteAsync(string accountId, IReadOnlyList<string> messageIds, CancellationToken cancellationToken)
    {
        if (messageIds.Count > 1)
        {
            try
            {
                await Table.SubmitTransactionAsync(
                    messageIds.Select(id => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(accountId, MessageStore.OutboxRowKey(id)), ETag.All)),
                    cancellationToken);
                return;
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // One of them was already gone (the sweeper got there first): one by one instead.
            }
        }

        foreach (var id in messageIds)
        {
            try
            {
                await Table.DeleteEntityAsync(accountId, MessageStore.OutboxRowKey(id), ETag.All, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Deleting outbox rows of enqueued messages failed; the sweeper finds them after their grace period")]
    private static partial void LogDeleteFailed(ILogger logger, Exception exception);
}
