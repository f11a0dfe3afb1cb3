using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Sending;
using WaServerless.Engines.Sandbox;
using WaServerless.Queues;

namespace WaServerless.EndToEnd.Tests.Faults;

/// <summary>
/// A body no consumer can read (unparseable, of an unknown wire version, oversize) is dead-lettered
/// with its reason on every lane and on the events queue, and the consumer goes on with what follows.
/// </summary>
public sealed class PoisonMessageTests
{
    private static readonly (string Body, string Reason)[] Poison =
    [
        ("{\"message_id\": \"msg_torn", "unreadable"),
        ("{\"v\": 7, \"message_id\": \"msg_from_the_future\"}", "unknown version 7"),
        ("{\"text\": \"" + new string('x', QueueBodies.MaxBytes) + "\"}", "oversize"),
    ];

    [Fact]
    public async Task Poison_on_every_send_lane_is_dead_lettered_with_its_reason_and_the_lane_keeps_sending()
    {
        await using var host = await DevHostInstance.StartAsync();
        var transport = host.Service<IQueueTransport>();
        var priorities = new Dictionary<Lane, string> { [Lane.Otp] = "otp", [Lane.High] = "high", [Lane.Normal] = "normal", [Lane.Bulk] = "bulk" };
        Assert.Equal(Priority.LanesMostUrgentFirst.Order(), priorities.Keys.Order());

        var queued = new List<string>();
        foreach (var (lane, priority) in priorities)
        {
            await PutPoisonAsync(transport, QueueNames.ForLane(lane));
            var (status, body) = await host.SendJsonAsync(new { recipient = $"+1415555{7300 + (int)lane:D4}", text = "after the poison", priority, wait_for_session = true });
            Assert.Equal(202, status);
            queued.Add(body.GetProperty("data").GetProperty("queue_id").GetString()!);
        }

        foreach (var queueId in queued)
        {
            await host.WaitForStatusAsync(queueId, "read");
        }

        foreach (var lane in priorities.Keys)
        {
            await AssertDeadLetteredAsync(transport, QueueNames.ForLane(lane));
        }
    }

    [Fact]
    public async Task Poison_on_the_events_queue_is_dead_lettered_and_the_events_after_it_still_drive_retries()
    {
        await using var host = await DevHostInstance.StartAsync();
        var transport = host.Service<IQueueTransport>();
        await PutPoisonAsync(transport, QueueNames.Events);
        var body = JsonSerializer.Serialize(new { event_type = "session.exploded", event_id = "evt_1" });
        await transport.SendAsync(QueueNames.Events, new OutgoingMessage("evt_unknown_type", body), null, default);

        // The first try fails transiently: only the events consumer, reading the failure event that
        // comes after the poison, schedules the retry that gets it read.
        const string recipient = "+14155557310";
        host.Service<SandboxEngine>().SetFault(recipient, new SandboxFault { Kind = FailureKind.Transient, Reason = "disconnected", Times = 1 });
        var (status, sent) = await host.SendJsonAsync(new { recipient, text = "retried past the poison", wait_for_session = true });
        Assert.Equal(202, status);
        await host.WaitForStatusAsync(sent.GetProperty("data").GetProperty("queue_id").GetString()!, "read");

        var letters = await AssertDeadLetteredAsync(transport, QueueNames.Events);
        Assert.Contains(letters, l => JsonDocument.Parse(l).RootElement.GetProperty("reason").GetString() == "unknown event type 'session.exploded'");
    }

    private static async Task PutPoisonAsync(IQueueTransport transport, string queue)
    {
        for (var i = 0; i < Poison.Length; i++)
        {
            await transport.SendAsync(queue, new OutgoingMessage($"poison-{queue}-{i}", Poison[i].Body), null, default);
        }
    }

    private static async Task<IReadOnlyList<string>> AssertDeadLetteredAsync(IQueueTransport transport, string queue)
    {
        var letters = await WaServerless.TestKit.Eventually.MatchesAsync(
            () => transport.PeekDeadLettersAsync(queue, 32, default),
            l => l.Count >= Poison.Length,
            TimeSpan.FromSeconds(30),
            $"the poison on {queue} to be dead-lettered");
        foreach (var (_, reason) in Poison)
        {
            Assert.Contains(letters, l => JsonDocument.Parse(l).RootElement.GetProperty("reason").GetString()!.StartsWith(reason, StringComparison.Ordinal));
        }

        return letters;
    }
}
