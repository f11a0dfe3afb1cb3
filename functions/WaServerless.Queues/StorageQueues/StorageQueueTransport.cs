using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Queues.StorageQueues;

/// <summary>
/// The port on Azure Storage Queues, for the local stack and small deployments. Storage Queues have
/// no sessions, scheduled messages or dead-letter queue, so: the session id travels in the
/// envelope, scheduling uses the initial visibility timeout (re-hidden when longer than the
/// service's 7-day maximum), and a message delivered more than MaxDeliveryCount times is moved to
/// "{queue}-deadletter".
/// </summary>
public sealed class StorageQueueTransport(StorageClients clients, IOptions<QueueOptions> options, TimeProvider time) : IQueueTransport
{
    private static readonly TimeSpan MaxVisibility = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Lazy<Task<QueueClient>>> _queues = new();

    public async Task SendAsync(string queue, OutgoingMessage message, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var client = await GetQueueAsync(queue, cancellationToken);
        var envelope = new Envelope(message.MessageId, message.SessionId, message.Subject, message.Body, time.GetUtcNow(), notBefore);
        await client.SendMessageAsync(
            JsonSerializer.Serialize(envelope, EnvelopeJson),
            visibilityTimeout: Delay(notBefore),
            timeToLive: TimeSpan.FromSeconds(-1),
            cancellationToken: cancellationToken);
    }

    public async Task<IReadOnlyList<ReceivedMessage>> ReceiveAsync(string queue, int maxMessages, CancellationToken cancellationToken)
    {
        var client = await GetQueueAsync(queue, cancellationToken);
        var response = await client.ReceiveMessagesAsync(Math.Clamp(maxMessages, 1, 32), options.Value.LockDuration, cancellationToken);
        var received = new List<ReceivedMessage>();
        foreach (var raw in response.Value)
        {
            Envelope? envelope;
            try
            {
                envelope = JsonSerializer.Deserialize<Envelope>(raw.Body.ToString(), EnvelopeJson);
            }
            catch (JsonException)
            {
                envelope = null;
            }

            var message = new StorageQueueMessage
            {
                Queue = queue,
                MessageId = envelope?.Id ?? raw.MessageId,
                Body = envelope?.Body ?? raw.Body.ToString(),
                SessionId = envelope?.SessionId,
                DeliveryCount = (int)raw.DequeueCount,
                EnqueuedAt = envelope?.EnqueuedAt ?? raw.InsertedOn ?? time.GetUtcNow(),
                QueueMessageId = raw.MessageId,
                PopReceipt = raw.PopReceipt,
                Raw = raw.Body.ToString(),
            };

            if (envelope is null)
            {
                await DeadLetterAsync(message, "unreadable envelope", cancellationToken);
                continue;
            }

            if (envelope.NotBefore is { } notBefore && notBefore > time.GetUtcNow())
            {
                // Scheduled further out than one visibility timeout reaches: hide it again.
                await client.UpdateMessageAsync(raw.MessageId, raw.PopReceipt, visibilityTimeout: Delay(notBefore) ?? TimeSpan.Zero, cancellationToken: cancellationToken);
                continue;
            }

            if (raw.DequeueCount > options.Value.MaxDeliveryCount)
            {
                await DeadLetterAsync(message, $"delivered {raw.DequeueCount} times, more than MaxDeliveryCount {options.Value.MaxDeliveryCount}", cancellationToken);
                continue;
            }

            received.Add(message);
        }

        return received;
    }

    public async Task CompleteAsync(ReceivedMessage message, CancellationToken cancellationToken)
    {
        var m = (StorageQueueMessage)message;
        var client = await GetQueueAsync(m.Queue, cancellationToken);
        try
        {
            await client.DeleteMessageAsync(m.QueueMessageId, m.PopReceipt, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The lock expired and another consumer has it, or it is gone already: nothing to complete.
        }
    }

    public async Task AbandonAsync(ReceivedMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        var m = (StorageQueueMessage)message;
        var client = await GetQueueAsync(m.Queue, cancellationToken);
        try
        {
            await client.UpdateMessageAsync(m.QueueMessageId, m.PopReceipt, visibilityTimeout: delay <= TimeSpan.Zero ? TimeSpan.Zero : WholeSeconds(delay), cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Lock lost: it will be delivered again anyway.
        }
    }

    public async Task DeadLetterAsync(ReceivedMessage message, string reason, CancellationToken cancellationToken)
    {
        var m = (StorageQueueMessage)message;
        var deadLetters = await GetQueueAsync(DeadLetterQueue(m.Queue), cancellationToken);
        // A dead letter is itself a queue message, capped at 64 KiB: a long body keeps its head,
        // its length and its hash, enough to find and diagnose it, not the whole of it.
        var raw = m.Raw;
        var truncated = raw.Length > MaxDeadLetterChars;
        var letter = new DeadLetter(
            m.MessageId,
            truncated ? raw[..MaxDeadLetterChars] : raw,
            reason,
            m.DeliveryCount,
            time.GetUtcNow(),
            truncated ? raw.Length : null,
            truncated ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))) : null);
        await deadLetters.SendMessageAsync(JsonSerializer.Serialize(letter, EnvelopeJson), timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: cancellationToken);
        await CompleteAsync(m, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> PeekDeadLettersAsync(string queue, int maxMessages, CancellationToken cancellationToken)
    {
        var client = await GetQueueAsync(DeadLetterQueue(queue), cancellationToken);
        var peeked = await client.PeekMessagesAsync(Math.Clamp(maxMessages, 1, 32), cancellationToken);
        return peeked.Value.Select(p => p.Body.ToString()).ToList();
    }

    public static string DeadLetterQueue(string queue) => queue + "-deadletter";

    private TimeSpan? Delay(DateTimeOffset? notBefore)
    {
        if (notBefore is not { } at)
        {
            return null;
        }

        var delay = at - time.GetUtcNow();
        return delay <= TimeSpan.Zero ? null : WholeSeconds(delay);
    }

    // The service counts visibility in whole seconds and truncates: 0.9 s would be 0, visible at once
    // and received again before its time. Round up instead.
    private static TimeSpan WholeSeconds(TimeSpan delay) =>
        delay > MaxVisibility ? MaxVisibility : TimeSpan.FromSeconds(Math.Ceiling(delay.TotalSeconds));

    private Task<QueueClient> GetQueueAsync(string queue, CancellationToken cancellationToken) =>
        _queues.GetOrAdd(queue, name => new Lazy<Task<QueueClient>>(async () =>
        {
            var client = clients.Queues.GetQueueClient(clients.Name(name));
            // Not the caller's token: a cancelled first caller must not leave a faulted client cached.
            await client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
            return client;
        })).Value;

    private static readonly JsonSerializerOptions EnvelopeJson = new(JsonSerializerDefaults.Web);

    private sealed record Envelope(string Id, string? SessionId, string? Subject, string Body, DateTimeOffset EnqueuedAt, DateTimeOffset? NotBefore);

    private sealed record DeadLetter(string Id, string Message, string Reason, int DeliveryCount, DateTimeOffset At, int? OriginalLength, string? OriginalSha256);

    private const int MaxDeadLetterChars = 4 * 1024; // escaped (up to 6 bytes a character) and base64, still under 64 KiB

    private sealed class StorageQueueMessage : ReceivedMessage
    {
        public required string QueueMessageId { get; init; }

        public required string PopReceipt { get; init; }

        public required string Raw { get; init; }
    }
}
