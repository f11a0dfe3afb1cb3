using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Sessions;

namespace WaServerless.DevHost;

/// <summary>
/// First start: creates the demo account and an API key and keeps the key in a local file; later
/// starts reuse it while it still authenticates. Prints "API: ..." and "Demo API key: ..." once
/// Kestrel is listening, so ./run.sh's user can send straight away.
/// </summary>
public sealed partial class DemoAccountSeeder(
    AccountStore accounts,
    ApiKeyStore keys,
    PlanCatalog plans,
    SessionStore sessions,
    IOptions<DevHostOptions> options,
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
            if (await accounts.GetAsync(DemoAccountId, cancellationToken) is null)
            {
                var plan = plans.Find("growth") ?? plans.Find(plans.Names.First())!;
                var created = await accounts.CreateAsync("Demo account", plan.Name, plan.MonthlyQuota, null, DemoAccountId, cancellationToken);
                await sessions.CreateAsync(created.Id, created.DefaultSessionId, "default", cancellationToken);
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

        lifetime.ApplicationStarted.Register(() =>
        {
            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "(unknown)";
            Console.WriteLine($"API: {address}/api");
            Console.WriteLine($"Demo API key: {DemoKey}");
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Created demo API key {KeyId} for account " + DemoAccountId)]
    private static partial void LogCreated(ILogger logger, string keyId);
}
