using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Queues.ServiceBus;

// The SDK's mocking constructors connect to nothing, so the recording types have nothing of the base to dispose.
#pragma warning disable CA2215

namespace WaServerless.Queues.Tests;

/// <summary>
/// The Service Bus transport on the real SDK's types: messages it builds are the SDK's
/// ServiceBusMessage, messages it reads come from ServiceBusModelFactory, and the client, senders and
/// receivers are the SDK's classes subclassed to record calls (no broker runs here; the broker's own
/// behaviour, sessions and scheduling included, is only exercised in Azure).
/// </summary>
public sealed class ServiceBusTransportTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class RecordingSender(string queue) : ServiceBusSender
    {
        public override string EntityPath => queue;

        public List<ServiceBusMessage> Sent { get; } = [];

        public List<(ServiceBusMessage Message, DateTimeOffset At)> Scheduled { get; } = [];

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default)
        {
            Sent.Add(message);
            return Task.CompletedTask;
        }

        public override Task<long> ScheduleMessageAsync(ServiceBusMessage message, DateTimeOffset scheduledEnqueueTime, CancellationToken cancellationToken = default)
        {
            Scheduled.Add((message, scheduledEnqueueTime));
            return Task.FromResult((long)Scheduled.Count);
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class RecordingReceiver : ServiceBusReceiver
    {
        public Queue<IReadOnlyList<ServiceBusReceivedMessage>> Batches { get; } = new();

        public List<string> Settlements { get; } = [];

        public bool Disposed { get; private set; }

        public Exception? NextReceiveFailure { get; set; }

        public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
        {
            if (NextReceiveFailure is { } failure)
            {
                NextReceiveFailure = null;
                throw failure;
            }

            return Task.FromResult(Batches.TryDequeue(out var batch) ? batch : (IReadOnlyList<ServiceBusReceivedMessage>)[]);
        }

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Settlements.Add("complete:" + message.MessageId);
            return Task.CompletedTask;
        }

        public override Task AbandonMessageAsync(ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default)
        {
            Settlements.Add("abandon:" + message.MessageId);
            return Task.CompletedTask;
        }

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
        {
            Settlements.Add($"deadletter:{message.MessageId}:{deadLetterReason}");
            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class RecordingSessionReceiver : ServiceBusSessionReceiver
    {
        public Queue<IReadOnlyList<ServiceBusReceivedMessage>> Batches { get; } = new();

        public List<string> Settlements { get; } = [];

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Settlements.Add("complete:" + message.MessageId);
            return Task.CompletedTask;
        }

        public bool Disposed { get; private set; }

        public Exception? NextReceiveFailure { get; set; }

        public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
        {
            if (NextReceiveFailure is { } failure)
            {
                NextReceiveFailure = null;
                throw failure;
            }

            return Task.FromResult(Batches.TryDequeue(out var batch) ? batch : (IReadOnlyList<ServiceBusReceivedMessage>)[]);
        }

        public override ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class RecordingClient : ServiceBusClient
    {
        public Dictionary<string, RecordingSender> Senders { get; } = [];

        public Dictionary<string, RecordingReceiver> Receivers { get; } = [];

        public List<(string Queue, string Session)> Accepted { get; } = [];

        public Func<string, string, RecordingSessionReceiver> SessionReceivers { get; set; } = (_, _) => new RecordingSessionReceiver();

        public Exception? NextAcceptFailure { get; set; }

        public override ServiceBusSender CreateSender(string queueOrTopicName) =>
            Senders.TryGetValue(queueOrTopicName, out var s) ? s : Senders[queueOrTopicName] = new RecordingSender(queueOrTopicName);

        public override ServiceBusReceiver CreateReceiver(string queueName, ServiceBusReceiverOptions options) =>
            Receivers.TryGetValue(queueName, out var r) ? r : Receivers[queueName] = new RecordingReceiver();

        public override Task<ServiceBusSessionReceiver> AcceptSessionAsync(string queueName, string sessionId, ServiceBusSessionReceiverOptions? options = null, CancellationToken cancellationToken = default)
        {
            if (NextAcceptFailure is { } failure)
            {
                NextAcceptFailure = null;
                throw failure;
            }

            Accepted.Add((queueName, sessionId));
            return Task.FromResult<ServiceBusSessionReceiver>(SessionReceivers(queueName, sessionId));
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static (ServiceBusTransport Transport, RecordingClient Client) NewTransport()
    {
        var client = new RecordingClient();
        return (new ServiceBusTransport(client, new FakeTimeProvider(Now)), client);
    }

    [Fact]
    public async Task A_send_lane_message_carries_its_id_its_session_as_the_Service_Bus_session_and_a_json_body()
    {
        var (transport, client) = NewTransport();

        await transport.SendAsync("send-normal", new OutgoingMessage("msg_1", "{\"a\":1}", "acc~default", "send"), null, default);
        await transport.SendAsync("send-normal", new OutgoingMessage("msg_2", "{}"), Now.AddSeconds(-5), default);
        await transport.SendAsync("events", new OutgoingMessage("evt_1", "{}", "acc~default"), null, default);

        var sent = client.Senders["send-normal"].Sent;
        Assert.Equal(("msg_1", "acc~default", "application/json", "send", "{\"a\":1}"), (sent[0].MessageId, sent[0].SessionId, sent[0].ContentType, sent[0].Subject, sent[0].Body.ToString()));
        Assert.Equal("default", sent[1].SessionId); // a session queue needs a session id
        Assert.Null(Assert.Single(client.Senders["events"].Sent).SessionId); // the events queue has no sessions
        Assert.Empty(client.Senders["send-normal"].Scheduled);
    }

    [Fact]
    public async Task A_message_for_later_is_scheduled_at_its_time_by_the_service()
    {
        var (transport, client) = NewTransport();

        await transport.SendAsync("send-bulk", new OutgoingMessage("msg_later", "{}", "acc~s"), Now.AddMinutes(10), default);

        var (message, at) = Assert.Single(client.Senders["send-bulk"].Scheduled);
        Assert.Equal(("msg_later", "acc~s", Now.AddMinutes(10)), (message.MessageId, message.SessionId, at));
        Assert.Empty(client.Senders["send-bulk"].Sent);
    }

    [Fact]
    public async Task A_received_message_keeps_its_id_session_enqueue_time_and_counts_earlier_deliveries_of_its_copies()
    {
        var (transport, client) = NewTransport();
        var receiver = (RecordingReceiver)client.CreateReceiver("events", new ServiceBusReceiverOptions());
        receiver.Batches.Enqueue(
        [
            ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString("{\"x\":1}"), messageId: "evt_1", deliveryCount: 1, enqueuedTime: Now),
            ServiceBusModelFactory.ServiceBusReceivedMessage(
                BinaryData.FromString("{}"), messageId: "evt_2.a2", deliveryCount: 1,
                properties: new Dictionary<string, object> { ["wa-delivery-count"] = 2 }),
        ]);

        var received = await transport.ReceiveAsync("events", 10, default);

        Assert.Equal(("evt_1", "{\"x\":1}", 1, Now), (received[0].MessageId, received[0].Body, received[0].DeliveryCount, received[0].EnqueuedAt));
        Assert.Equal(3, received[1].DeliveryCount);
    }

    [Fact]
    public async Task The_send_lanes_are_read_only_through_their_owned_sessions()
    {
        var (transport, _) = NewTransport();

        await Assert.ThrowsAsync<InvalidOperationException>(() => transport.ReceiveAsync("send-normal", 1, default));
    }

    [Fact]
    public async Task Settling_completes_and_dead_letters_with_the_reason_on_the_receiver_that_took_the_message()
    {
        var (transport, client) = NewTransport();
        var receiver = (RecordingReceiver)client.CreateReceiver("control", new ServiceBusReceiverOptions());
        receiver.Batches.Enqueue(
        [
            ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString("{}"), messageId: "c1"),
            ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString("?"), messageId: "c2"),
            ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString("{}"), messageId: "c3"),
        ]);
        var received = await transport.ReceiveAsync("control", 10, default);

        await transport.CompleteAsync(received[0], default);
        await transport.DeadLetterAsync(received[1], "not a control command", default);
        await transport.AbandonAsync(received[2], TimeSpan.Zero, default);

        Assert.Equal(["complete:c1", "deadletter:c2:not a control command", "abandon:c3"], receiver.Settlements);
    }

    [Fact]
    public async Task A_deferral_schedules_a_copy_under_its_own_id_that_remembers_the_deliveries_and_completes_the_original()
    {
        var (transport, client) = NewTransport();
        var session = new RecordingSessionReceiver();
        client.SessionReceivers = (_, _) => session;
        session.Batches.Enqueue([ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString("{\"m\":1}"), messageId: "msg_9", sessionId: "acc~default", deliveryCount: 2, contentType: "application/json", subject: "send")]);
        var received = Assert.Single(await ((ISessionQueueReceiver)transport).ReceiveFromSessionAsync("send-high", "acc~default", 1, TimeSpan.FromSeconds(1), default));

        await transport.AbandonAsync(received, TimeSpan.FromSeconds(30), default);

        var (copy, at) = Assert.Single(client.Senders["send-high"].Scheduled);
        Assert.Equal(("msg_9.a2", "acc~default", "application/json", "send", "{\"m\":1}", 2), (copy.MessageId, copy.SessionId, copy.ContentType, copy.Subject, copy.Body.ToString(), (int)copy.ApplicationProperties["wa-delivery-count"]));
        Assert.Equal(Now.AddSeconds(30), at);
        Assert.Equal(["complete:msg_9"], session.Settlements);
    }

    [Fact]
    public async Task A_session_still_locked_elsewhere_reads_nothing_and_a_lost_session_lock_is_accepted_again()
    {
        var (transport, client) = NewTransport();
        var receivers = new List<RecordingSessionReceiver>();
        client.SessionReceivers = (_, _) =>
        {
            var r = new RecordingSessionReceiver();
            receivers.Add(r);
            return r;
        };
        var sessions = (ISessionQueueReceiver)transport;

        client.NextAcceptFailure = new ServiceBusException("locked", ServiceBusFailureReason.SessionCannotBeLocked);
        Assert.Empty(await sessions.ReceiveFromSessionAsync("send-normal", "acc~s", 1, TimeSpan.FromSeconds(1), default));
        Assert.Empty(client.Accepted);

        Assert.Empty(await sessions.ReceiveFromSessionAsync("send-normal", "acc~s", 1, TimeSpan.FromSeconds(1), default));
        receivers[0].NextReceiveFailure = new ServiceBusException("lost", ServiceBusFailureReason.SessionLockLost);
        Assert.Empty(await sessions.ReceiveFromSessionAsync("send-normal", "acc~s", 1, TimeSpan.FromSeconds(1), default));
        Assert.True(receivers[0].Disposed);

        Assert.Empty(await sessions.ReceiveFromSessionAsync("send-normal", "acc~s", 1, TimeSpan.FromSeconds(1), default));
        Assert.Equal([("send-normal", "acc~s"), ("send-normal", "acc~s")], client.Accepted);
    }
}
