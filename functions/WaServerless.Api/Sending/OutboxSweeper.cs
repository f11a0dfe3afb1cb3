using Microsoft.Extensions.Logging;
using WaServerless.Queues;
using WaServerless.Storage.Messages;

namespace WaServerless.Api.Sending;

/// <summary>
/// The other half of the accept path's outbox: a message whose transaction committed but whose
/// enqueue never happened (a crash or an outage between the two) still has its outbox row after
/// the grace period. Enqueue it now. A double enqueue is harmless: the connector checks status.
/// </summary>
public sealed partial class OutboxSweeper(MessageStore messages, SendCommandQueue queue, ILogger<OutboxSweeper> logger)
{
    /// <summary>Returns how many commands it enqueued again.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var (command, notBefore) in messages.GetStaleOutboxAsync(cancellationToken))
        {
            await queue.EnqueueAsync(command, notBefore, cancellationToken);
            await messages.CompleteOutboxAsync(command.AccountId, command.MessageId, cancellationToken);
            LogRecovered(logger, command.MessageId);
            count++;
        }

        return count;
    }

    [LoggerMessage(LogLevel.Warning, "Outbox sweeper enqueued {MessageId}, whose enqueue had not happened")]
    private static partial void LogRecovered(ILogger logger, string messageId);
}
