namespace WaServerless.Queues;

/// <summary>A message to put on a queue. SessionId keeps one WhatsApp session's messages in order on Service Bus.</summary>
public sealed record OutgoingMessage(string MessageId, string Body, string? SessionId = null, string? Subject = null);

/// <summary>A message taken off a queue and locked until settled (completed, abandoned or dead-lettered) or its lock expires.</summary>
public abstract class ReceivedMessage
{
    public required string Queue { get; init; }

    public required string MessageId { get; init; }

    public required string Body { get; init; }

    public string? SessionId { get; init; }

    /// <summary>1 on first delivery; counts every delivery, abandoned or timed out.</summary>
    public required int DeliveryCount { get; init; }

    public required DateTimeOffset EnqueuedAt { get; init; }
}

/// <summary>
/// The queue port. Delivery is at least once: a consumer must tolerate seeing a message again
/// (the connector checks the stored status before sending).
/// </summary>
public interface IQueueTransport
{
    /// <summary>Sends now, or hidden until <paramref name="notBefore"/> (scheduled delivery).</summary>
    Task SendAsync(string queue, OutgoingMessage message, DateTimeOffset? notBefore, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="maxMessages"/> messages; empty when the queue has none ready.</summary>
    Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queue, int maxMessages, CancellationToken cancellationToken);

    Task CompleteAsync(ReceivedMessage message, CancellationToken cancellationToken);

    /// <summary>Gives the message back to be delivered again after <paramref name="delay"/>; counts as a delivery.</summary>
    Task AbandonAsync(ReceivedMessage message, TimeSpan delay, CancellationToken cancellationToken);

    Task DeadLetterAsync(ReceivedMessage message, string reason, CancellationToken cancellationToken);

    /// <summary>Messages moved to the queue's dead-letter queue, oldest first (operators and tests).</summary>
    Task<IReadOnlyList<string>> PeekDeadLettersAsync(string queue, int maxMessages, CancellationToken cancellationToken);
}
