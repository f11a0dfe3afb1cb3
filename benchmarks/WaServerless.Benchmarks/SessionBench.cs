using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WaServerless.Connector;
using WaServerless.Connector.Sessions;
using WaServerless.Core.Engines;
using WaServerless.Core.Sessions;
using WaServerless.Engines.Sandbox;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Sessions;

namespace WaServerless.Benchmarks;

/// <summary>How the sessions came up and went down, between the two idle periods.</summary>
internal sealed record Startup(
    TimeSpan RowsWritten,
    TimeSpan FirstClaimed,
    TimeSpan AllClaimed,
    TimeSpan AllConnected,
    RequestCounts Requests,
    int StoredConnected,
    TimeSpan Shutdown);

internal sealed record BenchResult(ConnectorOptions Options, SandboxOptions Sandbox, int CreateParallelism, IdlePhase Baseline, IdlePhase Loaded, Startup Startup);

/// <summary>
/// One connector replica's session side as production assembles it (SessionSupervisor, its
/// SessionWorkers, the Sandbox engine, SessionStore and SessionCredentialStore on storage) with the
/// default ConnectorOptions: idle with no sessions, then with N sessions connected.
/// </summary>
internal static class SessionBench
{
    public const int CreateParallelism = 4;

    private const int Accounts = 10;

    public static async Task<BenchResult> RunAsync(BenchSettings settings, AzuriteProcess azurite, StorageRequestCounter requests, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var options = new ConnectorOptions(); // production defaults: nothing lowered
        var sandboxOptions = new SandboxOptions { AutoPairAfter = TimeSpan.Zero };
        var clients = new StorageClients(Options.Create(new StorageOptions
        {
            ConnectionString = azurite.ConnectionString,
            NamePrefix = "bench" + RandomNumberGenerator.GetHexString(8, lowercase: true),
        }));
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(cancellationToken);
        var store = new SessionStore(clients, time);
        var credentials = new SessionCredentialStore(clients, Options.Create(new SessionOptions { EncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
        var sink = new ForwardingSink();
        using var engine = new SandboxEngine(Options.Create(sandboxOptions), sink, time, NullLogger<SandboxEngine>.Instance);
        using var supervisor = new SessionSupervisor(store, credentials, new EngineCatalog([new EngineRegistration(EngineNames.Sandbox, engine, engine)], EngineNames.Sandbox), Options.Create(options), time, NullLoggerFactory.Instance);
        sink.Target = supervisor;

        var sessions = Enumerable.Range(0, settings.Sessions)
            .Select(i => (Account: "acc_bench_" + (i % Accounts).ToString("D2", CultureInfo.InvariantCulture), Session: "ses_bench_" + i.ToString("D4", CultureInfo.InvariantCulture)))
            .ToList();
        var keys = sessions.Select(s => SessionKey.Of(s.Account, s.Session)).ToList();
        int Connected() => keys.Count(supervisor.IsReady);

        await supervisor.StartAsync(cancellationToken);
        var stopped = false;
        try
        {
            Console.WriteLine($"Baseline: supervisor running with no sessions; settling {settings.Settle.TotalSeconds:0} s, then idle for {settings.Idle.TotalSeconds:0} s");
            await Task.Delay(settings.Settle, cancellationToken);
            var baseline = await IdleSampler.MeasureAsync(0, settings.Idle, requests, Connected, azurite.Process, cancellationToken);

            Console.WriteLine($"Creating {settings.Sessions} sessions and waiting until all are connected");
            var requestsBefore = requests.Snapshot();
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(
                sessions,
                new ParallelOptions { MaxDegreeOfParallelism = CreateParallelism, CancellationToken = cancellationToken },
                async (s, token) => await store.CreateAsync(s.Account, s.Session, "bench " + s.Session, token));
            var rowsWritten = clock.Elapsed;
            clock.Restart();

            TimeSpan? firstClaimed = null;
            TimeSpan? allClaimed = null;
            var limit = options.SessionScanInterval * 2 + TimeSpan.FromSeconds(120);
            while (true)
            {
                var owned = supervisor.OwnedSessions.Count;
                if (owned > 0)
                {
                    firstClaimed ??= clock.Elapsed;
                }

                if (owned >= settings.Sessions)
                {
                    allClaimed ??= clock.Elapsed;
                }

                if (Connected() == settings.Sessions)
                {
                    break;
                }

                if (clock.Elapsed > limit)
                {
                    throw new TimeoutException($"Only {Connected()} of {settings.Sessions} sessions connected within {limit.TotalSeconds:0} s ({owned} claimed).");
                }

                await Task.Delay(50, cancellationToken);
            }

            var allConnected = clock.Elapsed;
            var startupRequests = requests.Snapshot() - requestsBefore;
            var storedConnected = (await store.ListAllAsync(cancellationToken)).Count(s => s.State == SessionState.Connected);
            Console.WriteLine($"All {settings.Sessions} connected {allConnected.TotalSeconds:0.0} s after the rows were written; settling {settings.Settle.TotalSeconds:0} s, then idle for {settings.Idle.TotalSeconds:0} s");

            await Task.Delay(settings.Settle, cancellationToken);
            var loaded = await IdleSampler.MeasureAsync(settings.Sessions, settings.Idle, requests, Connected, azurite.Process, cancellationToken);

            Console.WriteLine("Stopping the supervisor: every session closed, every lease released");
            clock.Restart();
            stopped = true;
            await StopAsync(supervisor);
            var shutdown = clock.Elapsed;

            return new BenchResult(
                options,
                sandboxOptions,
                CreateParallelism,
                baseline,
                loaded,
                new Startup(rowsWritten, firstClaimed ?? allConnected, allClaimed ?? allConnected, allConnected, startupRequests, storedConnected, shutdown));
        }
        finally
        {
            if (!stopped)
            {
                await StopAsync(supervisor);
            }
        }
    }

    private static async Task StopAsync(SessionSupervisor supervisor)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await supervisor.StopAsync(limit.Token);
    }

    private sealed class ForwardingSink : IEngineEventSink
    {
        public SessionSupervisor? Target { get; set; }

        public Task OnEventAsync(EngineEvent engineEvent, CancellationToken cancellationToken) =>
            Target?.RouteAsync(engineEvent, cancellationToken) ?? Task.CompletedTask;
    }
}
