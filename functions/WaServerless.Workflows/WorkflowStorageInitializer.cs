using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Infrastructure;
using WaServerless.Workflows.Signals;

namespace WaServerless.Workflows;

/// <summary>Creates the tables the workflows use (campaigns, their recipients, session waiters); cheap when they exist.</summary>
public sealed class WorkflowStorageInitializer(StorageClients clients, ILogger<WorkflowStorageInitializer>? logger = null, TimeProvider? time = null) : IHostedService
{
    public static IReadOnlyList<string> Tables { get; } = [.. CampaignStore.Tables, SessionWaiters.TableName];

    public Task StartAsync(CancellationToken cancellationToken) =>
        StorageInitializer.CreateTablesAsync(clients, [.. Tables], logger ?? (ILogger)NullLogger.Instance, time ?? TimeProvider.System, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
