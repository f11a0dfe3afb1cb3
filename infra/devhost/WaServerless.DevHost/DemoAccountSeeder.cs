using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Sessions;

namespace WaServerless.DevHost;

/// <summary>
/// First start: creates the demo account and an API key and keeps the key in a local file; later
/// starts reuse it while it still authenticates. Prints "API: ..." and "Demo API key: ..." once
/// Kestrel is listening and the demo session can send (connected), so ./run.sh's user can send
/// straight away and is not answered NOT_ACTIVATED while the Sandbox pairs.
/// </summary>
internal sealed partial class DemoAccountSeeder(
    AccountStore accounts,
    ApiKeyStore keys,
    PlanCatalog plans,
    SessionStore sessions,
    IOptions<DevHostOptions> options,
    IOptions<WaServerless.Connector.ConnectorOptions> connector,
    IServer server,
    IHostApplicationLifetime lifetime,
    IHostEnvironment environment,
    ILogger<DemoAccountSeeder> logger) : IHostedService
{
    public const string DemoAccountId = "acc_demo";

    public string? DemoKey { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedDemoAccount)
        {
            return;
        }

        var file = options.Value.DemoKeyFile is { Length: > 0 } path ? Path.GetFullPath(path, environment.ContentRootPath) : null;
        if (file is not null && File.Exists(file))
        {
            var saved = (await File.ReadAllTextAsync(file, cancellationToken)).Trim();
            if ((await keys.AuthenticateAsync(saved, cancellationToken)).Status == KeyAuthenticationStatus.Valid)
            {
                DemoKey = saved;
            }
        }

        var demo = await accounts.GetAsync(DemoAccountId, cancellationToken);
        if (demo is not null)
        {
            await sessions.CreateAsync(demo.Id, demo.DefaultSessionId, "default", cancellationToken);
        }

        if (DemoKey is null)
        {
            if (demo is null)
            {
                var plan = plans.Find("growth") ?? plans.Find(plans.Names.First())!;
                demo = await accounts.CreateAsync("Demo account", plan.Name, plan.MonthlyQuota, null, DemoAccountId, cancellationToken);
                await sessions.CreateAsync(demo.Id, demo.DefaultSessionId, "default", cancellationToken);
            }

            var (record, secret) = await keys.CreateAsync(DemoAccountId, "demo", null, cancellationToken);
            DemoKey = secret;
            LogCreated(logger, record.KeyId);
            if (file is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllTextAsync(file, secret + Environment.NewLine, cancellationToken);
            }
        }

        var sessionId = demo?.DefaultSessionId;
        lifetime.ApplicationStarted.Register(() => _ = AnnounceWhenReadyAsync(sessionId, lifetime.ApplicationStopping));
    }

    private async Task AnnounceWhenReadyAsync(string? sessionId, CancellationToken stopping)
    {
        try
        {
            if (connector.Value.Enabled && sessionId is not null)
            {
                using var patience = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                patience.CancelAfter(TimeSpan.FromSeconds(60));
                try
                {
                    while ((await sessions.GetAsync(DemoAccountId, sessionId, patience.Token))?.State != WaServerless.Core.Sessions.SessionState.Connected)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(100), patience.Token);
                    }
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
                {
                    LogNotConnected(logger, sessionId);
                }
            }

            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(unknown)";
            Console.WriteLine($"API: {address}/api");
            Console.WriteLine($"Portal: {address}/portal/");
            Console.WriteLine($"Demo API key: {DemoKey}");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(LogLevel.Warning, "The demo session {SessionId} is not connected after 60 s; sends will wait for it or be refused")]
    private static partial void LogNotConnected(ILogger logger, string sessionId);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Created demo API key {KeyId} for account " + DemoAccountId)]
    private static partial void LogCreated(ILogger logger, string keyId);
}
