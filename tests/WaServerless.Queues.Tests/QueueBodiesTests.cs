using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;

namespace WaServerless.Queues.Tests;

/// <summary>Which queued bodies are poison and why: the reasons that go with them to the dead-letter queue.</summary>
public sealed class QueueBodiesTests
{
    private static readonly SendCommand Command = new()
    {
        MessageId = "msg_1",
        AccountId = "acc_1",
        SessionKey = "acc_1~default",
        Recipient = "+14155550100",
        Content = new TextContent("hi"),
        Priority = 5,
        AcceptedAt = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData("{\"message_id\": \"msg_", "unreadable: ")]
    [InlineData("", "unreadable: ")]
    [InlineData("[1, 2]", "unreadable: the body is not a JSON object")]
    [InlineData("\"a string\"", "unreadable: the body is not a JSON object")]
    [InlineData("{}", "unreadable: not a SendCommand")]
    [InlineData("{\"v\": 2}", "unknown version 2: this consumer reads version 1")]
    [InlineData("{\"v\": \"1\"}", "unknown version \"1\"")]
    [InlineData("{\"v\": 1.5}", "unknown version 1.5")]
    [InlineData("{\"v\": 1, \"message_id\": 7}", "unreadable: not a SendCommand")]
    public void A_poison_send_command_says_why(string body, string reason)
    {
        var read = SendCommandQueue.Parse(Received(body));

        Assert.Null(read.Value);
        Assert.StartsWith(reason, read.PoisonReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_body_over_the_limit_is_oversize_before_it_is_parsed()
    {
        var read = SendCommandQueue.Parse(Received("{\"t\": \"" + new string('x', QueueBodies.MaxBytes) + "\"}"));

        Assert.Null(read.Value);
        Assert.StartsWith("oversize: ", read.PoisonReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_deeper_than_any_body_of_ours_is_poison_not_a_stack_overflow()
    {
        var read = SendCommandQueue.Parse(Received("{\"a\":" + string.Concat(Enumerable.Repeat("[", 5000)) + string.Concat(Enumerable.Repeat("]", 5000)) + "}"));

        Assert.StartsWith("unreadable: ", read.PoisonReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_is_written_with_version_1_and_one_without_a_version_reads_as_version_1()
    {
        var written = JsonSerializer.Serialize(Command, WireJson.Options);
        Assert.Equal(1, JsonDocument.Parse(written).RootElement.GetProperty("v").GetInt32());

        var withoutVersion = written.Replace("\"v\":1,", string.Empty, StringComparison.Ordinal);
        Assert.DoesNotContain("\"v\"", withoutVersion, StringComparison.Ordinal);
        var read = SendCommandQueue.Parse(Received(withoutVersion));
        Assert.Null(read.PoisonReason);
        Assert.Equal(Command, read.Value);
    }

    [Theory]
    [InlineData("{\"event_type\": \"session.exploded\"}", "unknown event type 'session.exploded'")]
    [InlineData("{\"event_type\": 3}", "unreadable: event_type is not a string")]
    [InlineData("{\"event_type\": \"session\", \"v\": 9}", "unknown version 9")]
    [InlineData("{\"message_id\": []}", "unreadable: not a DeliveryEvent")]
    public void A_poison_event_says_why(string body, string reason)
    {
        var read = EventsQueue.Parse(body);

        Assert.Null(read.Value);
        Assert.StartsWith(reason, read.PoisonReason, StringComparison.Ordinal);
    }

    private static ReceivedMessage Received(string body) =>
        new InMemoryReceived { Queue = "send-normal", MessageId = "q1", Body = body, DeliveryCount = 1, EnqueuedAt = DateTimeOffset.UnixEpoch };

    private sealed class InMemoryReceived : ReceivedMessage;
}
