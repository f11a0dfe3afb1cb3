using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WaServerless.Storage.Infrastructure;

/// <summary>Creates the tables a deployment needs before the first request; cheap when they exist.</summary>
public sealed partial class StorageInitializer(StorageClients clients, ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in TableNames.All)
        {
            await clients.Table(table).CreateIfNotExistsAsync(cancellationToken);
        }

        LogReady(logger, TableNames.All.Length);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Storage ready: {TableCount} tables")]
    private static partial void LogReady(ILogger logger, int tableCount);
}
