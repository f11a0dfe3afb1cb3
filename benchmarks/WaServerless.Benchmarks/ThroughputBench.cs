using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WaServerless.Core.Sessions;
using WaServerless.DevHost;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Sessions;

namespace WaServerless.Benchmarks;

/// <summary>One closed-loop run: <paramref name="Clients"/> clients, each sending its next request as soon as the last is answered.</summary>
internal sealed record LoadResult(string Label, int Clients, TimeSpan Duration, int Requests, int Accepted, IReadOnlyDictionary<int, int> Statuses, double P50, double P99, double Max)
{
    public double AcceptedPerSecond => Accepted / Duration.TotalSeconds;
}

/// <summary>The accept path's throughput beside the raw rate of the storage work a send minimally needs, in one run.</summary>
internal sealed record ThroughputResult(
    IReadOnlyList<(LoadResult Raw, LoadResult Api, StorageRequestCounts PerAccepted)> Levels,
    LoadResult ManyAccounts,
    LoadResult HalfSaturation,
    StorageRequestCounts Background,
    TimeSpan Duration);

/// <summary>
/// POST /api/send on the devhost with the connector's lane consumer off (Connector:Enabled false: the
/// accept path alone), one account with its limits raised, distinct recipients, form-encoded text,
/// at 1, 8, 32 and 64 concurrent clients; before each, the raw storage baseline at the same
/// concurrency: one table transaction of five entities and one queue put, issued directly.
/// </summary>
internal static class ThroughputBench
{
    public static readonly int[] Concurrency = [1, 8, 32, 64];

    /// <param name="newAzurite">Starts an Azurite of its own for each run: a node process that has held earlier runs' rows pauses longer and more often, which would be measured as ours.</param>
    public static async Task<ThroughputResult> RunAsync(Func<CancellationToken, Task<AzuriteProcess>> newAzurite, TimeSpan duration, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        StorageRequestCounts background;
        await using (var idleStorage = await newAzurite(cancellationToken))
        await using (var idle = await Stack.StartAsync(idleStorage, "tputidle", 1, cancellationToken))
        {
            // What the process's other loops (session supervisor, sweepers) cost while nothing is sent.
            var idleStart = idle.Clients.Requests;
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            background = idle.Clients.Requests - idleStart;
        }

        // Every run on an Azurite of its own, with a devhost of its own.
        var levels = new List<(LoadResult, LoadResult, StorageRequestCounts)>();
        foreach (var c in Concurrency)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {c} client(s): raw storage work, then POST /api/send, {duration.TotalSeconds:0} s each"));
            await using var rawStorage = await newAzurite(cancellationToken);
            var raw = await RawStorageWork.CreateAsync(rawStorage, $"raw{c}", cancellationToken);
            await ClosedLoopAsync("warm-up", c, TimeSpan.FromSeconds(2), raw.SendAsync, cancellationToken);
            var rawResult = await ClosedLoopAsync("raw", c, duration, raw.SendAsync, cancellationToken);

            await using var apiStorage = await newAzurite(cancellationToken);
            await using var stack = await Stack.StartAsync(apiStorage, $"tput{c}", 1, cancellationToken);
            await ClosedLoopAsync("warm-up", c, TimeSpan.FromSeconds(2), stack.Sender(), cancellationToken);
            var before = stack.Clients.Requests;
            var api = await ClosedLoopAsync("api", c, duration, stack.Sender(), cancellationToken);
            var cost = stack.Clients.Requests - before;
            levels.Add((rawResult, api, cost));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    raw {rawResult.AcceptedPerSecond:0}/s, api {api.AcceptedPerSecond:0}/s (p50 {api.P50:0} ms, p99 {api.P99:0} ms), {(double)cost.Total / Math.Max(1, api.Accepted):0.00} storage requests per accepted send"));
        }

        Console.WriteLine("  32 clients over 8 accounts");
        LoadResult many;
        await using (var manyStorage = await newAzurite(cancellationToken))
        await using (var stack = await Stack.StartAsync(manyStorage, "tputmany", 8, cancellationToken))
        {
            await ClosedLoopAsync("warm-up", 32, TimeSpan.FromSeconds(2), stack.Sender(), cancellationToken);
            many = await ClosedLoopAsync("api, 8 accounts", 32, duration, stack.Sender(), cancellationToken);
        }

        var saturation = levels.Max(l => l.Item2.AcceptedPerSecond);
        var half = Math.Max(1, (int)(saturation / 2));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  open loop at {half}/s (half of {saturation:0}/s)"));
        LoadResult halfResult;
        await using (var halfStorage = await newAzurite(cancellationToken))
        await using (var stack = await Stack.StartAsync(halfStorage, "tputhalf", 1, cancellationToken))
        {
            await ClosedLoopAsync("warm-up", 1, TimeSpan.FromSeconds(2), stack.Sender(), cancellationToken);
            halfResult = await OpenLoopAsync(half, duration, stack.Sender(), cancellationToken);
        }

        return new ThroughputResult(levels, many, halfResult, background, clock.Elapsed);
    }

    /// <summary>A devhost with the lane consumer off, its accounts, and a client to send with their keys in turn.</summary>
    private sealed class Stack : IAsyncDisposable
    {
        private readonly BenchDevHost _host;
        private readonly string[] _keys;
        private int _recipients;

        private Stack(BenchDevHost host, string[] keys) => (_host, _keys) = (host, keys);

        public StorageClients Clients => _host.Service<StorageClients>();

        public static async Task<Stack> StartAsync(AzuriteProcess azurite, string prefix, int accounts, CancellationToken cancellationToken)
        {
            var host = await BenchDevHost.StartAsync(azurite, prefix, new Dictionary<string, string?>
            {
                ["Connector:Enabled"] = "false",
                ["Plans:growth:RecipientDailyCap"] = "1000",
                ["Logging:LogLevel:WaServerless.Api.Sending.SendHandler"] = "Error",
            }, cancellationToken);
            return new Stack(host, await CreateAccountsAsync(host.App.Services, accounts, cancellationToken));
        }

        /// <summary>Form-encoded text sends to distinct recipients, client n using key n modulo the accounts.</summary>
        public Func<int, Task<int>> Sender() => async client =>
        {
            var recipient = "+1415" + (2_000_000 + Interlocked.Increment(ref _recipients)).ToString(CultureInfo.InvariantCulture);
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/send")
            {
                Content = new FormUrlEncodedContent([new("recipient", recipient), new("text", "load")]),
            };
            request.Headers.Add("X-API-Key", _keys[client % _keys.Length]);
            using var response = await _host.Http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return (int)response.StatusCode;
        };

        public ValueTask DisposeAsync() => _host.DisposeAsync();
    }

    private static async Task<string[]> CreateAccountsAsync(IServiceProvider services, int count, CancellationToken cancellationToken)
    {
        var accountStore = services.GetRequiredService<AccountStore>();
        var keys = services.GetRequiredService<ApiKeyStore>();
        var sessions = services.GetRequiredService<SessionStore>();
        var result = new string[count];
        for (var i = 0; i < count; i++)
        {
            var account = await accountStore.CreateAsync($"bench {i}", "growth", 1_000_000_000, null, null, cancellationToken);
            result[i] = (await keys.CreateAsync(account.Id, "bench", TimeSpan.Zero, cancellationToken)).Secret;
            // The lane consumer is off and nobody pairs: the session is marked connected, as the connector would.
            await sessions.CreateAsync(account.Id, account.DefaultSessionId, "bench", cancellationToken);
            await sessions.SetStateAsync(account.Id, account.DefaultSessionId, SessionState.Connected, null, "+14155550100", cancellationToken);
        }

        return result;
    }

    private static async Task<LoadResult> ClosedLoopAsync(string label, int clients, TimeSpan duration, Func<int, Task<int>> send, CancellationToken cancellationToken)
    {
        var latencies = new List<double>[clients];
        var statuses = new Dictionary<int, int>[clients];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(
            async () =>
            {
                latencies[c] = [];
                statuses[c] = [];
                while (clock.Elapsed < duration)
                {
                    var one = Stopwatch.StartNew();
                    int status;
                    try
                    {
                        status = await send(c);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or AggregateException or Azure.RequestFailedException)
                    {
                        status = 0;
                    }

                    latencies[c].Add(one.Elapsed.TotalMilliseconds);
                    statuses[c][status] = statuses[c].GetValueOrDefault(status) + 1;
                }
            },
            cancellationToken)));
        return Summarise(label, clients, clock.Elapsed, latencies.SelectMany(l => l), statuses);
    }

    /// <summary>Requests started at a steady rate whatever the answers, as a production load arrives.</summary>
    private static async Task<LoadResult> OpenLoopAsync(int rate, TimeSpan duration, Func<int, Task<int>> send, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task<(double Ms, int Status)>>();
        for (var i = 0; clock.Elapsed < duration; i++)
        {
            var due = interval * i;
            if (clock.Elapsed < due)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            var client = i;
            inFlight.Add(Task.Run(
                async () =>
                {
                    var one = Stopwatch.StartNew();
                    try
                    {
                        var status = await send(client);
                        return (one.Elapsed.TotalMilliseconds, status);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return (one.Elapsed.TotalMilliseconds, 0);
                    }
                },
                cancellationToken));
        }

        var done = await Task.WhenAll(inFlight);
        var statuses = new Dictionary<int, int>();
        foreach (var (_, status) in done)
        {
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }

        return Summarise($"open loop {rate}/s", rate, clock.Elapsed, done.Select(d => d.Ms), [statuses]);
    }

    private static LoadResult Summarise(string label, int clients, TimeSpan elapsed, IEnumerable<double> latencies, IEnumerable<Dictionary<int, int>> statuses)
    {
        var sorted = latencies.Order().ToList();
        var merged = new Dictionary<int, int>();
        foreach (var (status, n) in statuses.SelectMany(s => s))
        {
            merged[status] = merged.GetValueOrDefault(status) + n;
        }

        double At(double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Floor(q * sorted.Count))];
        return new LoadResult(label, clients, elapsed, sorted.Count, merged.GetValueOrDefault(202), merged, At(0.5), At(0.99), sorted.Count == 0 ? 0 : sorted[^1]);
    }

    public static string Render(ThroughputResult result, TimeSpan duration)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"## One account's sends under concurrency, beside the raw storage rate");
        Line($"");
        Line($"The devhost in this process with the connector's lane consumer off (`Connector:Enabled=false`, so the accept path alone), each run (raw or API) on an in-memory Azurite of its own; one account with its limits raised, distinct recipients, form-encoded text sends, each client sending its next request when the last is answered, {duration.TotalSeconds:0} s per run after a 2 s warm-up. **Raw** is the storage work a send minimally needs, issued directly from .NET by the benchmark at the same concurrency: one table transaction of five entities in one partition and one queue put. Storage requests are counted by the API's own clients (`StorageClients.Requests`, every try), background loops included; those loops alone made {result.Background.Total / 5.0:0.0} requests/s while nothing was sent.");
        Line($"");
        Line($"| concurrent clients | raw storage work/s | accepted sends/s | ratio | p50 | p99 | max | answers | storage requests per accepted send |");
        Line($"| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (raw, api, cost) in result.Levels)
        {
            var answers = string.Join(", ", api.Statuses.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Value} x {(s.Key == 0 ? "no answer" : s.Key)}")));
            var accepted = Math.Max(1, api.Accepted);
            var perSend = string.Create(CultureInfo.InvariantCulture, $"{(double)cost.Total / accepted:0.00} ({(double)cost.TableTransactions / accepted:0.00} transactions, {(double)cost.TableReads / accepted:0.00} reads, {(double)cost.TableWrites / accepted:0.00} writes, {(double)cost.QueueRequests / accepted:0.00} queue)");
            Line($"| {api.Clients} | {raw.AcceptedPerSecond:0} | {api.AcceptedPerSecond:0} | {api.AcceptedPerSecond / Math.Max(1, raw.AcceptedPerSecond):0%} | {api.P50:0} ms | {api.P99:0} ms | {api.Max:0} ms | {answers} | {perSend} |");
        }

        Line($"");
        var many = result.ManyAccounts;
        Line($"**Many accounts at once**: 32 clients spread over 8 accounts: {many.AcceptedPerSecond:0} accepted/s, p50 {many.P50:0} ms, p99 {many.P99:0} ms, answers {string.Join(", ", many.Statuses.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Value} x {s.Key}")))}.");
        Line($"");
        var half = result.HalfSaturation;
        Line($"**At half of saturation** (open loop: requests started at a steady {half.Clients}/s whatever the answers, half of the best closed-loop rate above): p50 {half.P50:0} ms, p99 {half.P99:0} ms, max {half.Max:0} ms over {half.Requests} requests, answers {string.Join(", ", half.Statuses.OrderBy(s => s.Key).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Value} x {s.Key}")))}.");
        Line($"");
        Line($"Two cores run Azurite (one node process), the devhost and the load generator together, so every rate here is bounded by that one machine; the ratio to the raw rate is the figure that carries over. A warm accept is one table transaction (message, outbox, recipient state, idempotency when keyed) and one queue put; the counted limits cost one read and one write per leased block (up to `Messages:MaxAllowanceBlock`, 64, units), and the outbox rows are deleted in batches of up to 100 after the answer.");
        return md.ToString();
    }

    /// <summary>The raw baseline: the storage work of one accepted send, issued directly.</summary>
    private sealed class RawStorageWork
    {
        private static readonly string Payload = new('x', 400);
        private readonly TableClient _table;
        private readonly Azure.Storage.Queues.QueueClient _queue;
        private long _next;

        private RawStorageWork(TableClient table, Azure.Storage.Queues.QueueClient queue) => (_table, _queue) = (table, queue);

        public static async Task<RawStorageWork> CreateAsync(AzuriteProcess azurite, string prefix, CancellationToken cancellationToken)
        {
            var clients = new StorageClients(Options.Create(new StorageOptions { ConnectionString = azurite.ConnectionString, NamePrefix = prefix }));
            var table = clients.Table("baseline");
            await table.CreateIfNotExistsAsync(cancellationToken);
            var queue = clients.Queues.GetQueueClient("raw-baseline");
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            return new RawStorageWork(table, queue);
        }

        public async Task<int> SendAsync(int client)
        {
            var n = Interlocked.Increment(ref _next).ToString("D12", CultureInfo.InvariantCulture);
            await _table.SubmitTransactionAsync(Enumerable.Range(0, 5).Select(i => new TableTransactionAction(
                TableTransactionActionType.Add,
                new TableEntity("account", $"{i}_{n}") { ["Payload"] = Payload, ["At"] = DateTimeOffset.UtcNow })));
            await _queue.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"id\":\"" + n + "\",\"payload\":\"" + Payload + "\"}")));
            return 202;
        }
    }
}
