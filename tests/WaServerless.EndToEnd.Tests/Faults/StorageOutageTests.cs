using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using WaServerless.TestKit;
using Xunit.Abstractions;

namespace WaServerless.EndToEnd.Tests.Faults;

/// <summary>
/// Storage goes away in the middle of a load and comes back: meanwhile every request is answered
/// 503 with Retry-After within the request deadline (never a 500, never a hang), and every send that
/// was answered 202 before, during or after the outage is sent once storage is back.
/// </summary>
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    private sealed record Answer(int Status, TimeSpan Took, bool RetryAfter, string? QueueId, string Phase, string Body);

    [Fact]
    public async Task Requests_during_an_outage_get_503_with_Retry_After_in_bounded_time_and_every_202_is_sent_after_recovery()
    {
        await using var azurite = await Azurite.StartOwnAsync();
        await using var host = await DevHostInstance.StartAsync(settings: new()
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Api:RequestDeadline"] = Deadline.ToString(),
            ["Storage:NetworkTimeout"] = "00:00:04",
            ["Plans:growth:SubmissionsPerMinute"] = "1000000",
            ["Plans:growth:MonthlyQuota"] = "1000000",
        });
        using var http = new HttpClient { BaseAddress = host.Client.BaseAddress, Timeout = Deadline + TimeSpan.FromSeconds(20) };

        var answers = new ConcurrentBag<Answer>();
        var phase = "before";
        var next = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref next);
                var recipient = $"+1415{7000000 + n:D7}";
                var at = Volatile.Read(ref phase);
                using var request = host.Request(HttpMethod.Post, "api/send", JsonContent.Create(new { recipient, text = "through the outage", idempotency_key = recipient }));
                var clock = Stopwatch.StartNew();
                using var response = await http.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var body = text.Length > 0 && text[0] == '{' ? System.Text.Json.JsonDocument.Parse(text).RootElement : default;
                var queueId = (int)response.StatusCode == 202 ? body.GetProperty("data").GetProperty("queue_id").GetString() : null;
                answers.Add(new Answer((int)response.StatusCode, clock.Elapsed, response.Headers.RetryAfter is not null, queueId, at, text.Length > 300 ? text[..300] : text));
                if ((int)response.StatusCode == 503)
                {
                    await Task.Delay(100); // a client backs off a little; the Retry-After is checked, not obeyed
                }
            }
        })).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        await azurite.StopAsync();
        Volatile.Write(ref phase, "outage");
        await Task.Delay(TimeSpan.FromSeconds(8));
        Volatile.Write(ref phase, "restarting");
        await azurite.RestartAsync();
        Volatile.Write(ref phase, "after");
        await Task.Delay(TimeSpan.FromSeconds(6));
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        foreach (var group in answers.GroupBy(a => (a.Phase, a.Status)).OrderBy(g => g.Key.Phase, StringComparer.Ordinal))
        {
            output.WriteLine($"{group.Key.Phase}: {group.Count()} answered {group.Key.Status}, slowest {group.Max(a => a.Took).TotalMilliseconds:F0} ms");
        }

        output.WriteLine("The host's log:" + Environment.NewLine + host.Log);
        Assert.All(answers, a => Assert.True(a.Status is 202 or 503, $"{a.Phase}: {a.Status} {a.Body}"));
        Assert.All(answers.Where(a => a.Status == 503), a => Assert.True(a.RetryAfter, $"503 without Retry-After: {a.Body}"));
        Assert.All(answers, a => Assert.True(a.Took < Deadline + TimeSpan.FromSeconds(2), $"{a.Phase}: {a.Status} after {a.Took}"));
        Assert.Contains(answers, a => a.Phase == "outage" && a.Status == 503);
        Assert.Contains(answers, a => a.Phase == "after" && a.Status == 202);

        var accepted = answers.Where(a => a.Status == 202).Select(a => a.QueueId!).ToList();
        output.WriteLine($"{accepted.Count} accepted; waiting for each to be sent");
        foreach (var queueId in accepted)
        {
            await Eventually.MatchesAsync(
                () => host.GetMessageAsync(queueId),
                m => m.TryGetProperty("data", out var data) && data.GetProperty("status").GetString() is "sent" or "delivered" or "read",
                TimeSpan.FromSeconds(60),
                $"{queueId} to be sent after the outage");
        }
    }
}
