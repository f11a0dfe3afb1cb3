using System.Collections.Concurrent;
using System.Diagnostics;
using WaServerless.Core.Telemetry;

namespace WaServerless.EndToEnd.Tests;

/// <summary>One trace from POST /api/send through the queue to the engine call: the trace context travels in the SendCommand.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task The_connector_send_joins_the_trace_of_the_accepting_request()
    {
        var activities = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WaTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await DevHostInstance.StartAsync();

        var (status, body) = await host.SendJsonAsync(new { recipient = "+14155550300", text = "traced" });
        Assert.Equal(202, status);
        var queueId = body.GetProperty("data").GetProperty("queue_id").GetString()!;
        await host.WaitForStatusAsync(queueId, "read");

        var accepted = await WaServerless.TestKit.Eventually.MatchesAsync(
            () => Task.FromResult(activities.FirstOrDefault(a => a.OperationName == "api.send" && (string?)a.GetTagItem("waserverless.message_id") == queueId)),
            a => a is not null, TimeSpan.FromSeconds(10), "the api.send activity");
        var sent = await WaServerless.TestKit.Eventually.MatchesAsync(
            () => Task.FromResult(activities.FirstOrDefault(a => a.OperationName == "connector.send" && (string?)a.GetTagItem("waserverless.message_id") == queueId)),
            a => a is not null, TimeSpan.FromSeconds(10), "the connector.send activity");

        Assert.Equal(accepted!.TraceId, sent!.TraceId);
        Assert.Equal(accepted.SpanId, sent.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, sent.Kind);
    }
}
