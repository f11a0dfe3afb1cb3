using Microsoft.Extensions.Hosting;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Infrastructure;
using WaServerless.Workflows.Signals;

namespace WaServerless.Workflows;

/// <summary>Creates the tables the workflows use (campaigns, their recipients, session waiters); cheap when they exist.</summary>
public sealed class WorkflowStorageInitializer(StorageClients clients) : IHostedService
{
    public static IReadOnlyList<string> Tables { get; } = [.. CampaignStore.Tables, SessionWaiters.TableName];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var table in Tables)
        {
            await clients.Table(table).CreateIfNotExistsAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
