using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace WaServerless.Benchmarks;

/// <summary>One steady rate's latencies, in milliseconds: of the API's answer, and from acceptance to sent and to delivered.</summary>
internal sealed record ApiRateResult(int Rate, TimeSpan Duration, int Requests, int Accepted, IReadOnlyDictionary<int, int> Statuses, double P50, double P99, double P999, double Max)
{
    public double AcceptedPerSecond => Accepted / Duration.TotalSeconds;

    /// <summary>Accepted to sent (the connector took it off the lane and the engine sent it): p50, p99, max; measured on the server's clock.</summary>
    public Percentiles? ToSent { get; init; }

    /// <summary>Accepted to delivered (the engine's receipt recorded).</summary>
    public Percentiles? ToDelivered { get; init; }

    public int NotSentInTime { get; init; }
}

internal sealed record Percentiles(double P50, double P99, double Max, int Count)
{
    public static Percentiles? Of(List<double> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        values.Sort();
        return new Percentiles(At(values, 0.5), At(values, 0.99), values[^1], values.Count);
    }

    public static double At(List<double> sorted, double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(q * sorted.Count))];
}

/// <summary>
/// POST /api/send on the devhost with the connector running (the Sandbox, pacing off, the delivered
/// receipt at once), from one client sending one request after another at a steady rate to distinct
/// recipients, as the "no request hangs" issue measured: the percentiles up to p99.9 and the maximum;
/// then each accepted message's history, for the time from acceptance to sent and to delivered.
/// </summary>
internal static class ApiLatencyBench
{
    public static async Task<IReadOnlyList<ApiRateResult>> RunAsync(AzuriteProcess azurite, IReadOnlyList<int> rates, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var host = await BenchDevHost.StartAsync(azurite, "apibench", new Dictionary<string, string?>
        {
            ["Sandbox:DeliveredAfter"] = "00:00:00",
            ["Sandbox:ReadAfter"] = "01:00:00",
        }, cancellationToken);
        await host.WaitForSessionAsync("default", cancellationToken);

        var results = new List<ApiRateResult>();
        var next = 0;
        foreach (var rate in rates)
        {
            // A short warm-up at the same rate, not counted.
            await RunRateAsync(host, rate, TimeSpan.FromSeconds(3), () => next++, cancellationToken);
            var (result, accepted) = await RunRateAsync(host, rate, duration, () => next++, cancellationToken);
            results.Add(await WithEndToEndAsync(host, result, accepted, cancellationToken));
        }

        return results;
    }

    private static async Task<(ApiRateResult Result, List<string> Accepted)> RunRateAsync(BenchDevHost host, int rate, TimeSpan duration, Func<int> nextRecipient, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var statuses = new Dictionary<int, int>();
        var accepted = new List<string>();
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            using var request = host.Request(HttpMethod.Post, "api/send", new { recipient = "+1415" + (7000000 + nextRecipient()).ToString(CultureInfo.InvariantCulture), text = "steady load" });
            var one = Stopwatch.StartNew();
            using var response = await host.Http.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            latencies.Add(one.Elapsed.TotalMilliseconds);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status == 202)
            {
                using var json = JsonDocument.Parse(body);
                accepted.Add(json.RootElement.GetProperty("data").GetProperty("queue_id").GetString()!);
            }
        }

        var elapsed = clock.Elapsed;
        latencies.Sort();
        return (new ApiRateResult(rate, elapsed, latencies.Count, statuses.GetValueOrDefault(202), statuses, Percentiles.At(latencies, 0.5), Percentiles.At(latencies, 0.99), Percentiles.At(latencies, 0.999), latencies[^1]), accepted);
    }

    /// <summary>Reads each accepted message's history (after giving the last ones time to go out) for accepted to sent and to delivered.</summary>
    private static async Task<ApiRateResult> WithEndToEndAsync(BenchDevHost host, ApiRateResult result, List<string> accepted, CancellationToken cancellationToken)
    {
        var toSent = new List<double>();
        var toDelivered = new List<double>();
        var notSent = 0;
        var patience = Stopwatch.StartNew();
        foreach (var queueId in accepted)
        {
            while (true)
            {
                var (_, body) = await host.CallAsync(HttpMethod.Get, "api/messages/" + queueId, null, cancellationToken);
                var data = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("data", out var d) ? d : default;
                var history = data.ValueKind == JsonValueKind.Object ? data.GetProperty("history").EnumerateArray().ToList() : [];
                var sent = history.FirstOrDefault(h => h.GetProperty("status").GetString() == "sent");
                var delivered = history.FirstOrDefault(h => h.GetProperty("status").GetString() == "delivered");
                if (delivered.ValueKind == JsonValueKind.Object || patience.Elapsed > TimeSpan.FromSeconds(60))
                {
                    var acceptedAt = data.ValueKind == JsonValueKind.Object ? data.GetProperty("created_at").GetDateTimeOffset() : default;
                    if (sent.ValueKind == JsonValueKind.Object)
                    {
                        toSent.Add((sent.GetProperty("at").GetDateTimeOffset() - acceptedAt).TotalMilliseconds);
                    }
                    else
                    {
                        notSent++;
                    }

                    if (delivered.ValueKind == JsonValueKind.Object)
                    {
                        toDelivered.Add((delivered.GetProperty("at").GetDateTimeOffset() - acceptedAt).TotalMilliseconds);
                    }

                    break;
                }

                await Task.Delay(100, cancellationToken);
            }
        }

        return result with { ToSent = Percentiles.Of(toSent), ToDelivered = Percentiles.Of(toDelivered), NotSentInTime = notSent };
    }

    private static string Ms(double? value) => value is { } v ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "n/a";

    public static string Render(IReadOnlyList<ApiRateResult> results, TimeSpan duration)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"## POST /api/send under a steady load, the connector running");
        Line($"");
        Line($"The devhost in this process (the API, the connector with the Sandbox engine and pacing off, the Durable Task engine), on an in-memory Azurite of its own (started for this part, so the rows the earlier parts left do not slow it). One client sends text messages one after another to distinct recipients at a steady rate for {duration.TotalSeconds:0} s per rate, after a 3 s warm-up; a request that would start late starts at once. Every request has the API's deadline (Api:RequestDeadline, 10 s); storage calls time out after 4 s and retry once.");
        Line($"");
        Line($"| offered rate | requests | accepted/s | p50 | p99 | p99.9 | max | answers |");
        Line($"| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in results)
        {
            var answers = string.Join(", ", r.Statuses.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Value} x {s.Key}")));
            Line($"| {r.Rate}/s | {r.Requests} | {r.AcceptedPerSecond:0.0} | {r.P50:0} ms | {r.P99:0} ms | {r.P999:0} ms | {r.Max:0} ms | {answers} |");
        }

        Line($"");
        Line($"### End to end: accepted to sent and to delivered");
        Line($"");
        Line($"The same runs, read back from each accepted message's status history (server timestamps, so no client clock is involved): accepted to sent is the queue, the lane consumer and the engine's send; accepted to delivered adds the engine's receipt (the Sandbox sends it at once here) travelling back through the events path and its status write.");
        Line($"");
        Line($"| offered rate | messages | accepted to sent p50 | p99 | max | accepted to delivered p50 | p99 | max | not sent within 60 s |");
        Line($"| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in results)
        {
            Line($"| {r.Rate}/s | {r.Accepted} | {Ms(r.ToSent?.P50)} | {Ms(r.ToSent?.P99)} | {Ms(r.ToSent?.Max)} | {Ms(r.ToDelivered?.P50)} | {Ms(r.ToDelivered?.P99)} | {Ms(r.ToDelivered?.Max)} | {r.NotSentInTime} |");
        }

        Line($"");
        Line($"With one client, a slow answer delays the next request, so the achieved rate can sit below the offered one. Before the storage timeouts and the deadline, the same load at 40/s left one request unanswered for 23.9 s (and once for over 60 s): Azurite sometimes leaves a request unanswered for seconds, and the SDK's default network timeout (100 s per try) let the caller wait that out.");
        return md.ToString();
    }
}
