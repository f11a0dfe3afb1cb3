using Microsoft.Extensions.Options;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Queues.StorageQueues;
using WaServerless.TestKit;

namespace WaServerless.Queues.Tests;

/// <summary>The Storage Queue transport against Azurite: the semantics the connector relies on.</summary>
public sealed class StorageQueueTransportTests
{
    private static async Task<StorageQueueTransport> NewTransportAsync(int maxDeliveryCount = 10, TimeSpan? lockDuration = null) =>
        new((await Azurite.Shared).Clients(),
            Options.Create(new QueueOptions { MaxDeliveryCount = maxDeliveryCount, LockDuration = lockDuration ?? TimeSpan.FromSeconds(30) }),
            TimeProvider.System);

    private static Task<IReadOnlyList<ReceivedMessage>> ReceiveSoonAsync(IQueueTransport transport, string queue, TimeSpan? timeout = null) =>
        Eventually.MatchesAsync(() => transport.ReceiveAsync(queue, 10, default), r => r.Count > 0, timeout ?? TimeSpan.FromSeconds(10), "a message on " + queue);

    [Fact]
    public async Task A_sent_message_is_received_with_its_id_session_and_body_and_gone_once_completed()
    {
        var transport = await NewTransportAsync();
        await transport.SendAsync("send-normal", new OutgoingMessage("m1", "{\"a\":1}", "session-7"), null, default);

        var message = Assert.Single(await ReceiveSoonAsync(transport, "send-normal"));
        Assert.Equal("m1", message.MessageId);
        Assert.Equal("session-7", message.SessionId);
        Assert.Equal("{\"a\":1}", message.Body);
        Assert.Equal(1, message.DeliveryCount);

        await transport.CompleteAsync(message, default);
        Assert.Empty(await transport.ReceiveAsync("send-normal", 10, default));
    }

    [Fact]
    public async Task A_scheduled_message_stays_hidden_until_its_time()
    {
        var transport = await NewTransportAsync();
        await transport.SendAsync("send-bulk", new OutgoingMessage("later", "{}"), DateTimeOffset.UtcNow.AddSeconds(2), default);

        Assert.Empty(await transport.ReceiveAsync("send-bulk", 10, default));
        var message = Assert.Single(await ReceiveSoonAsync(transport, "send-bulk"));
        Assert.Equal("later", message.MessageId);
    }

    [Fact]
    public async Task An_abandoned_message_comes_back_after_its_delay_with_a_higher_delivery_count()
    {
        var transport = await NewTransportAsync();
        await transport.SendAsync("send-high", new OutgoingMessage("again", "{}"), null, default);
        var first = Assert.Single(await ReceiveSoonAsync(transport, "send-high"));

        await transport.AbandonAsync(first, TimeSpan.FromSeconds(1), default);

        Assert.Empty(await transport.ReceiveAsync("send-high", 10, default));
        var second = Assert.Single(await ReceiveSoonAsync(transport, "send-high"));
        Assert.Equal("again", second.MessageId);
        Assert.Equal(2, second.DeliveryCount);
    }

    [Fact]
    public async Task A_message_delivered_more_than_the_limit_is_dead_lettered_not_delivered()
    {
        var transport = await NewTransportAsync(maxDeliveryCount: 2);
        await transport.SendAsync("send-otp", new OutgoingMessage("poison", "{}"), null, default);

        for (var i = 0; i < 2; i++)
        {
            var m = Assert.Single(await ReceiveSoonAsync(transport, "send-otp"));
            await transport.AbandonAsync(m, TimeSpan.Zero, default);
        }

        await Task.Delay(200);
        Assert.Empty(await transport.ReceiveAsync("send-otp", 10, default));
        var letter = Assert.Single(await transport.PeekDeadLettersAsync("send-otp", 10, default));
        Assert.Contains("poison", letter, StringComparison.Ordinal);
        Assert.Contains("MaxDeliveryCount", letter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_explicitly_dead_lettered_message_keeps_its_reason()
    {
        var transport = await NewTransportAsync();
        await transport.SendAsync("delivery-events", new OutgoingMessage("bad", "not json"), null, default);
        var m = Assert.Single(await ReceiveSoonAsync(transport, "delivery-events"));

        await transport.DeadLetterAsync(m, "unreadable", default);

        Assert.Contains("unreadable", Assert.Single(await transport.PeekDeadLettersAsync("delivery-events", 10, default)), StringComparison.Ordinal);
        Assert.Empty(await transport.ReceiveAsync("delivery-events", 10, default));
    }

    [Fact]
    public async Task A_long_body_dead_lettered_keeps_its_head_length_and_hash_so_the_letter_fits_a_queue_message()
    {
        var transport = await NewTransportAsync();
        var body = "{\"text\": \"" + new string('"', 5_000) + "\"}";
        await transport.SendAsync("send-bulk", new OutgoingMessage("long", body), null, default);
        var m = Assert.Single(await ReceiveSoonAsync(transport, "send-bulk"));

        await transport.DeadLetterAsync(m, "oversize", default);

        using var letter = System.Text.Json.JsonDocument.Parse(Assert.Single(await transport.PeekDeadLettersAsync("send-bulk", 10, default)));
        var root = letter.RootElement;
        Assert.Equal("oversize", root.GetProperty("reason").GetString());
        Assert.True(root.GetProperty("originalLength").GetInt32() > 5_000);
        Assert.Equal(64, root.GetProperty("originalSha256").GetString()!.Length);
        Assert.StartsWith("{", root.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await transport.ReceiveAsync("send-bulk", 10, default));
    }

    [Theory]
    [InlineData(1, "send-otp")]
    [InlineData(3, "send-high")]
    [InlineData(5, "send-normal")]
    [InlineData(9, "send-bulk")]
    public async Task Send_commands_go_on_the_lane_of_their_priority(int priority, string lane)
    {
        var transport = await NewTransportAsync();
        var queue = new SendCommandQueue(transport);
        var command = new SendCommand
        {
            MessageId = MessageIds.New(TimeProvider.System),
            AccountId = "acc",
            SessionKey = "default",
            Recipient = "+14155550123",
            Content = new TextContent("hi"),
            Priority = priority,
            AcceptedAt = DateTimeOffset.UtcNow,
        };

        await queue.EnqueueAsync(command, null, default);

        var received = Assert.Single(await ReceiveSoonAsync(transport, lane));
        Assert.Equal(command.MessageId, SendCommandQueue.Read(received)!.MessageId);
        Assert.Equal(new TextContent("hi"), SendCommandQueue.Read(received)!.Content);
        Assert.Equal(Priority.FromValue(priority).Lane, SendCommandQueue.Read(received)!.Lane);
    }
}

public sealed class StorageQueueSchedulingTests
{
    [Fact]
    public async Task A_message_scheduled_less_than_a_second_ahead_is_not_delivered_before_its_time()
    {
        var transport = new StorageQueueTransport((await Azurite.Shared).Clients(), Options.Create(new QueueOptions()), TimeProvider.System);
        var due = DateTimeOffset.UtcNow.AddMilliseconds(700);
        await transport.SendAsync("send-normal", new OutgoingMessage("soon", "{}"), due, default);

        var received = await Eventually.MatchesAsync(() => transport.ReceiveAsync("send-normal", 10, default), r => r.Count > 0, TimeSpan.FromSeconds(10), "the scheduled message");

        Assert.True(DateTimeOffset.UtcNow >= due);
        Assert.Equal(1, Assert.Single(received).DeliveryCount);
    }
}
