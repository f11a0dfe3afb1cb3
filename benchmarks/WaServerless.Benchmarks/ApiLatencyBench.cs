using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WaServerless.DevHost;

namespace WaServerless.Benchmarks;

/// <summary>One steady rate's latencies, in milliseconds.</summary>
internal sealed record ApiRateResult(int Rate, TimeSpan Duration, int Requests, int Accepted, IReadOnlyDictionary<int, int> Statuses, double P50, double P99, double P999, double Max)
{
    public double AcceptedPerSecond => Accepted / Duration.TotalSeconds;
}

/// <summary>
/// POST /api/send on the devhost with the connector running (the Sandbox, pacing off), from one
/// client sending one request after another at a steady rate to distinct recipients, as the
/// "no request hangs" issue measured: the percentiles up to p99.9 and the maximum.
/// </summary>
internal static class ApiLatencyBench
{
    public static async Task<IReadOnlyList<ApiRateResult>> RunAsync(AzuriteProcess azurite, IReadOnlyList<int> rates, TimeSpan duration, CancellationToken cancellationToken)
    {
        var keyFile = Path.Combine(Path.GetTempPath(), "waserverless-bench-" + Guid.NewGuid().ToString("N"), "demo-key.txt");
        var config = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = "apibench",
            ["DevHost:DemoKeyFile"] = keyFile,
            ["Connector:SendInterval"] = "00:00:00",
            ["Limits:DefaultRecipientGap"] = "00:00:00",
            ["Plans:growth:SubmissionsPerMinute"] = "1000000",
            ["Plans:growth:MonthlyQuota"] = "100000000",
            ["Sandbox:AutoPairAfter"] = "00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var app = DevHostApplication.Build([], b => b.Configuration.AddInMemoryCollection(config));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var key = app.Services.GetRequiredService<DemoAccountSeeder>().DemoKey!;
        using var http = new HttpClient { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromMinutes(2) };
        await WaitForDemoSessionAsync(http, key, cancellationToken);

        var results = new List<ApiRateResult>();
        var next = 0;
        foreach (var rate in rates)
        {
            // A short warm-up at the same rate, not counted.
            await RunRateAsync(http, key, rate, TimeSpan.FromSeconds(3), () => next++, cancellationToken);
            results.Add(await RunRateAsync(http, key, rate, duration, () => next++, cancellationToken));
        }

        await app.StopAsync(cancellationToken);
        return results;
    }

    private static async Task<ApiRateResult> RunRateAsync(HttpClient http, string key, int rate, TimeSpan duration, Func<int> nextRecipient, CancellationToken cancellationToken)
    {
        var latencies = new List<double>();
        var statuses = new Dictionary<int, int>();
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var clock = Stopwatch.StartNew();
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "api/send")
            {
                Content = JsonContent.Create(new { recipient = "+1415" + (7000000 + nextRecipient()).ToString(CultureInfo.InvariantCulture), text = "steady load" }),
            };
            request.Headers.Add("X-API-Key", key);
            var one = Stopwatch.StartNew();
            using var response = await http.SendAsync(request, cancellationToken);
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
            latencies.Add(one.Elapsed.TotalMilliseconds);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }

        var elapsed = clock.Elapsed;
        latencies.Sort();
        double At(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Floor(q * latencies.Count))];
        return new ApiRateResult(rate, elapsed, latencies.Count, statuses.GetValueOrDefault(202), statuses, At(0.5), At(0.99), At(0.999), latencies[^1]);
    }

    private static async Task WaitForDemoSessionAsync(HttpClient http, string key, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 300; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "api/sessions/default");
            request.Headers.Add("X-API-Key", key);
            using var response = await http.SendAsync(request, cancellationToken);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            if (body.RootElement.TryGetProperty("data", out var data) && data.TryGetProperty("state", out var state) && state.GetString() == "connected")
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException("The devhost's demo session did not connect within 30 s.");
    }

    public static string Render(IReadOnlyList<ApiRateResult> results, TimeSpan duration)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"## POST /api/send under a steady load, the connector running");
        Line($"");
        Line($"The devhost in this process (the API, the connector with the Sandbox engine and pacing off, the Durable Task engine), on the same in-memory Azurite. One client sends text messages one after another to distinct recipients at a steady rate for {duration.TotalSeconds:0} s per rate, after a 3 s warm-up; a request that would start late starts at once. Every request has the API's deadline (Api:RequestDeadline, 10 s); storage calls time out after 4 s and retry once.");
        Line($"");
        Line($"| offered rate | requests | accepted/s | p50 | p99 | p99.9 | max | answers |");
        Line($"| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in results)
        {
            var answers = string.Join(", ", r.Statuses.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Value} x {s.Key}")));
            Line($"| {r.Rate}/s | {r.Requests} | {r.AcceptedPerSecond:0.0} | {r.P50:0} ms | {r.P99:0} ms | {r.P999:0} ms | {r.Max:0} ms | {answers} |");
        }

        Line($"");
        Line($"With one client, a slow answer delays the next request, so the achieved rate can sit below the offered one. Before the storage timeouts and the deadline, the same load at 40/s left one request unanswered for 23.9 s (and once for over 60 s): Azurite sometimes leaves a request unanswered for seconds, and the SDK's default network timeout (100 s per try) let the caller wait that out.");
        return md.ToString();
    }
}
