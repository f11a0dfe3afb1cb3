using System.Diagnostics;
using System.Globalization;

namespace WaServerless.Benchmarks;

/// <summary>
/// The connector's memory and CPU with idle Sandbox sessions, against an in-memory Azurite this
/// program starts and stops; writes docs/benchmarks.md. Run by ./bench.sh.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["--help" or "-h"])
        {
            Console.WriteLine(BenchSettings.Usage);
            return 0;
        }

        var root = RepositoryRoot();
        BenchSettings settings;
        try
        {
            settings = BenchSettings.Parse(args, root);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(BenchSettings.Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        try
        {
            var machine = MachineInfo.Collect(root);
            BenchResult result;
            IReadOnlyList<ApiRateResult> api = [];
            ThroughputResult? throughput = null;
            ConnectorResult? connector = null;
            string? connectorFailure = null;
            await using (var azurite = await AzuriteProcess.StartAsync(root, cancel.Token))
            {
                Console.WriteLine($"Azurite (node pid {azurite.Process.Id}) listening; {settings.Sessions} sessions, idle periods of {settings.Idle.TotalSeconds:0} s");
                using (var requests = new StorageRequestCounter(azurite.BlobPort, azurite.QueuePort, azurite.TablePort))
                {
                    result = await SessionBench.RunAsync(settings, azurite, requests, cancel.Token);
                }

                if (settings.ThroughputDuration > TimeSpan.Zero)
                {
                    Console.WriteLine("POST /api/send at 1, 8, 32 and 64 concurrent clients beside the raw storage work, the lane consumer off");
                    throughput = await ThroughputBench.RunAsync(ct => AzuriteProcess.StartAsync(root, ct), settings.ThroughputDuration, cancel.Token);
                }

                if (settings.ConnectorMessages > 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"One connector draining {settings.ConnectorMessages} messages across 50 Sandbox sessions, then a campaign of {settings.ConnectorMessages / 2} recipients"));
                    // An Azurite of its own: the rows the earlier parts left make every scan of the shared one slower.
                    await using var connectorStorage = await AzuriteProcess.StartAsync(root, cancel.Token);
                    try
                    {
                        connector = await ConnectorBench.RunAsync(connectorStorage, 50, settings.ConnectorMessages, settings.ConnectorMessages / 2, cancel.Token);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {connector.SendsPerSecond:0.0} sends/s; campaign released {connector.ReleasedPerSecond:0.0}/s, sent {connector.CampaignSentPerSecond:0.0}/s"));
                    }
                    catch (Exception e) when (e is TimeoutException or InvalidOperationException)
                    {
                        // The other parts' results are still worth writing; the report says this part failed.
                        connectorFailure = e.Message;
                        Console.Error.WriteLine(e.Message);
                    }
                }

                if (settings.ApiDuration > TimeSpan.Zero)
                {
                    Console.WriteLine($"POST /api/send at 20/s and 40/s for {settings.ApiDuration.TotalSeconds:0} s each, the connector running");
                    // An Azurite of its own too, for the same reason as the connector's.
                    await using var apiStorage = await AzuriteProcess.StartAsync(root, cancel.Token);
                    api = await ApiLatencyBench.RunAsync(apiStorage, [20, 40], settings.ApiDuration, cancel.Token);
                    foreach (var r in api)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Rate}/s: {r.Requests} requests, p50 {r.P50:0} ms, p99 {r.P99:0} ms, p99.9 {r.P999:0} ms, max {r.Max:0} ms"));
                    }
                }
            }

            var report = Report.Render(machine, settings, result, startedAt, clock.Elapsed)
                + (throughput is not null ? "\n" + ThroughputBench.Render(throughput, settings.ThroughputDuration) : "")
                + (api.Count > 0 ? "\n" + ApiLatencyBench.Render(api, settings.ApiDuration) : "")
                + (connector is not null ? "\n" + ConnectorBench.Render(connector) : "")
                + (connectorFailure is not null ? "\n## One connector across 50 Sandbox sessions\n\nThis part did not finish in this run: " + connectorFailure + "\n" : "");
            Directory.CreateDirectory(Path.GetDirectoryName(settings.Output)!);
            await File.WriteAllTextAsync(settings.Output, report);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                CPU, % of one core: {result.Baseline.CpuPercentOfOneCore:0.00} with no sessions, {result.Loaded.CpuPercentOfOneCore:0.00} with {settings.Sessions}
                Working set: {result.Baseline.WorkingSetMeanBytes / 1048576:0.0} MiB with no sessions, {result.Loaded.WorkingSetMeanBytes / 1048576:0.0} MiB with {settings.Sessions}
                Wrote {settings.Output} in {clock.Elapsed.TotalMinutes:0.0} min
                """));
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Console.Error.WriteLine("Cancelled; no report written.");
            return 130;
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine("No report written.");
            return 1;
        }
    }

    private static string RepositoryRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "WaServerless.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("WaServerless.sln not found above the working directory or " + AppContext.BaseDirectory);
    }
}
