using System.Text.Json;
using WaServerless.Core.Contracts;

namespace WaServerless.Queues;

/// <summary>Puts a SendCommand on the lane of its priority, keyed by the WhatsApp session that sends it.</summary>
public sealed class SendCommandQueue(IQueueTransport transport)
{
    public Task EnqueueAsync(SendCommand command, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        var message = new OutgoingMessage(
            // Service Bus duplicate detection must drop a repeated enqueue of one attempt (the outbox
            // sweeper's), not a retry and not a deferral (waiting for the session, pacing, the
            // recipient gap), which re-enqueue the same attempt for a later time: both are in the id.
            notBefore is { } at
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{command.MessageId}.{command.Attempt}.{at.UtcTicks}")
                : $"{command.MessageId}.{command.Attempt}",
            JsonSerializer.Serialize(command, WireJson.Options),
            command.SessionKey,
            nameof(SendCommand));
        return transport.SendAsync(QueueNames.ForLane(command.Lane), message, notBefore, cancellationToken);
    }

    /// <summary>The command in <paramref name="message"/>, or null when it is poison (see <see cref="Parse"/>).</summary>
    public static SendCommand? Read(ReceivedMessage message) => Parse(message).Value;

    /// <summary>The command in <paramref name="message"/>, or why it is poison: oversize, unreadable, an unknown version.</summary>
    public static QueueRead<SendCommand> Parse(ReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var document = QueueBodies.Open(message.Body, out var poison);
        return document is null ? new QueueRead<SendCommand>(null, poison!) : QueueBodies.Deserialize<SendCommand>(document.RootElement, nameof(SendCommand));
    }
}
