using System.Collections.Concurrent;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Queues.ServiceBus;

/// <summary>
/// The port on Azure Service Bus, identity-based (no connection string). The send lanes are
/// session-enabled queues with the WhatsApp session id as the Service Bus session id, so one
/// session's messages are delivered in order to one consumer at a time; scheduled delivery and
/// dead-lettering are the service's own.
/// </summary>
public sealed class ServiceBusTransport : IQueueTransport, ISessionQueueReceiver, IAsyncDisposable
{
    private const string DeliveryCountProperty = "wa-delivery-count";
    private readonly ServiceBusClient _client;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ServiceBusSender> _senders = new();
    private readonly ConcurrentDictionary<string, ServiceBusReceiver> _receivers = new();
    private readonly ConcurrentDictionary<(string Queue, string Session), ServiceBusSessionReceiver> _sessionReceivers = new();

    public ServiceBusTransport(IOptions<ServiceBusConnectionOptions> connection, TimeProvider time)
    {
        var settings = connection.Value;
        if (string.IsNullOrWhiteSpace(settings.FullyQualifiedNamespace))
        {
            throw new InvalidOperationException("Queues:Transport is ServiceBus but ServiceBus:fullyQualifiedNamespace is not set.");
        }

        _client = new ServiceBusClient(settings.FullyQualifiedNamespace, AzureCredentials.Create(settings.Credential, settings.ClientId));
        _time = time;
    }

    /// <summary>Over a given client: tests hand it the SDK's own types, subclassed to record what is sent and settled.</summary>
    internal ServiceBusTransport(ServiceBusClient client, TimeProvider time)
    {
        _client = client;
        _time = time;
    }

    public static bool IsSessionQueue(string queue) => queue.StartsWith("send-", StringComparison.Ordinal);

    public async Task SendAsync(string queue, OutgoingMessage message, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var sender = _senders.GetOrAdd(queue, _client.CreateSender);
        var outgoing = new ServiceBusMessage(BinaryData.FromString(message.Body))
        {
            MessageId = message.MessageId,
            ContentType = "application/json",
            Subject = message.Subject,
            SessionId = IsSessionQueue(queue) ? message.SessionId ?? "default" : null,
        };

        if (notBefore is { } at && at > _time.GetUtcNow())
        {
            await sender.ScheduleMessageAsync(outgoing, at, cancellationToken);
        }
        else
        {
            await sender.SendMessageAsync(outgoing, cancellationToken);
        }
    }

    /// <summary>
    /// The queues without sessions (events, control). The send lanes are session-enabled and are read
    /// one owned session at a time, through <see cref="ReceiveFromSessionAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queue, int maxMessages, CancellationToken cancellationToken)
    {
        if (IsSessionQueue(queue))
        {
            throw new InvalidOperationException($"{queue} has sessions on Service Bus: receive it with {nameof(ReceiveFromSessionAsync)}.");
        }

        var receiver = _receivers.GetOrAdd(queue, q => _client.CreateReceiver(q, new ServiceBusReceiverOptions()));
        var messages = await receiver.ReceiveMessagesAsync(maxMessages, TimeSpan.FromSeconds(1), cancellationToken);
        return Wrap(queue, receiver, messages);
    }

    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveFromSessionAsync(string queue, string sessionId, int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        if (!_sessionReceivers.TryGetValue((queue, sessionId), out var receiver))
        {
            try
            {
                receiver = await _client.AcceptSessionAsync(queue, sessionId, cancellationToken: cancellationToken);
            }
            catch (ServiceBusException e) when (e.Reason is ServiceBusFailureReason.SessionCannotBeLocked or ServiceBusFailureReason.ServiceTimeout)
            {
                // The previous owner still holds its lock; it lapses or is released shortly.
                return [];
            }

            if (!_sessionReceivers.TryAdd((queue, sessionId), receiver))
            {
                await receiver.DisposeAsync();
                receiver = _sessionReceivers[(queue, sessionId)];
            }
        }

        try
        {
            var messages = await receiver.ReceiveMessagesAsync(maxMessages, maxWait, cancellationToken);
            return Wrap(queue, receiver, messages);
        }
        catch (ServiceBusException e) when (e.Reason is ServiceBusFailureReason.SessionLockLost)
        {
            // Held too long without receiving: accept it again on the next call.
            _sessionReceivers.TryRemove((queue, sessionId), out _);
            await receiver.DisposeAsync();
            return [];
        }
    }

    public async Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        foreach (var key in _sessionReceivers.Keys.Where(k => k.Session == sessionId).ToList())
        {
            if (_sessionReceivers.TryRemove(key, out var receiver))
            {
                await receiver.DisposeAsync();
            }
        }
    }

    private static List<ReceivedMessage> Wrap(string queue, ServiceBusReceiver receiver, IReadOnlyList<ServiceBusReceivedMessage> messages) =>
        messages.Select(m => (ReceivedMessage)new ServiceBusQueueMessage
        {
            Queue = queue,
            MessageId = m.MessageId,
            Body = m.Body.ToString(),
            SessionId = m.SessionId,
            DeliveryCount = m.DeliveryCount + (m.ApplicationProperties.TryGetValue(DeliveryCountProperty, out var earlier) && earlier is int n ? n : 0),
            EnqueuedAt = m.EnqueuedTime,
            Message = m,
            Receiver = receiver,
        }).ToList();

    public Task CompleteAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var m = (ServiceBusQueueMessage)message;
        return m.Receiver.CompleteMessageAsync(m.Message, cancellationToken);
    }

    public async Task AbandonAsync(ReceivedMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        var m = (ServiceBusQueueMessage)message;
        if (delay <= TimeSpan.Zero)
        {
            await m.Receiver.AbandonMessageAsync(m.Message, cancellationToken: cancellationToken);
            return;
        }

        // Service Bus cannot abandon with a delay: schedule a copy that remembers the delivery count, then complete this one.
        var copy = new ServiceBusMessage(m.Message.Body)
        {
            // A new id: duplicate detection would drop a copy with the original's id.
            MessageId = m.Message.MessageId + ".a" + m.DeliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ContentType = m.Message.ContentType,
            Subject = m.Message.Subject,
            SessionId = m.Message.SessionId,
        };
        copy.ApplicationProperties[DeliveryCountProperty] = m.DeliveryCount;
        await _senders.GetOrAdd(m.Queue, _client.CreateSender).ScheduleMessageAsync(copy, _time.GetUtcNow() + delay, cancellationToken);
        await m.Receiver.CompleteMessageAsync(m.Message, cancellationToken);
    }

    public Task DeadLetterAsync(ReceivedMessage message, string reason, CancellationToken cancellationToken)
    {
        var m = (ServiceBusQueueMessage)message;
        return m.Receiver.DeadLetterMessageAsync(m.Message, reason, cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<string>> PeekDeadLettersAsync(string queue, int maxMessages, CancellationToken cancellationToken)
    {
        await using var receiver = _client.CreateReceiver(queue + "/$deadletterqueue", new ServiceBusReceiverOptions());
        var peeked = await receiver.PeekMessagesAsync(maxMessages, cancellationToken: cancellationToken);
        return peeked.Select(p => p.Body.ToString()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var receiver in _receivers.Values)
        {
            await receiver.DisposeAsync();
        }

        foreach (var receiver in _sessionReceivers.Values)
        {
            await receiver.DisposeAsync();
        }

        foreach (var sender in _senders.Values)
        {
            await sender.DisposeAsync();
        }

        await _client.DisposeAsync();
    }

    private sealed class ServiceBusQueueMessage : ReceivedMessage
    {
        public required ServiceBusReceivedMessage Message { get; init; }

        public required ServiceBusReceiver Receiver { get; init; }
    }
}
