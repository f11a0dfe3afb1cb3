using Azure;
using Azure.Data.Tables;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Workflows.InProcess;

public enum InProcessInstanceStatus
{
    Running,
    Completed,
    Failed,
}

/// <summary>An instance as the in-process runner keeps it: enough to start it again from its input.</summary>
public sealed record InProcessInstanceRecord(
    string InstanceId,
    string Name,
    string InputJson,
    int Generation,
    InProcessInstanceStatus Status,
    string? OutputJson,
    string? Error,
    DateTimeOffset UpdatedAt);

/// <summary>
/// The runner's instance table ("workflowinstances", one partition): name and current input of every
/// instance, and whether it finished. An instance still "running" here when the process starts was
/// cut off by a stop or a crash; the runner starts it again from this input.
/// </summary>
public sealed class InProcessInstanceStore(StorageClients clients, TimeProvider time)
{
    public const string TableName = "workflowinstances";
    private const string Partition = "instance";

    private TableClient Table => clients.Table(TableName);

    public async Task EnsureTableAsync(CancellationToken cancellationToken) => await Table.CreateIfNotExistsAsync(cancellationToken);

    public async Task<InProcessInstanceRecord?> GetAsync(string instanceId, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, Key(instanceId), cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<InProcessInstanceRecord>> ListRunningAsync(CancellationToken cancellationToken)
    {
        var items = new List<InProcessInstanceRecord>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {InProcessInstanceStatus.Running.ToString()}");
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            items.Add(FromEntity(e));
        }

        return items;
    }

    public Task SaveRunningAsync(string instanceId, string name, string inputJson, int generation, CancellationToken cancellationToken) =>
        Table.UpsertEntityAsync(
            new TableEntity(Partition, Key(instanceId))
            {
                ["InstanceId"] = instanceId,
                ["Name"] = name,
                ["Input"] = inputJson,
                ["Generation"] = generation,
                ["Status"] = InProcessInstanceStatus.Running.ToString(),
                ["UpdatedAt"] = time.GetUtcNow(),
            },
            TableUpdateMode.Replace,
            cancellationToken);

    public Task SaveFinishedAsync(string instanceId, InProcessInstanceStatus status, string? outputJson, string? error, CancellationToken cancellationToken) =>
        Table.UpdateEntityAsync(
            new TableEntity(Partition, Key(instanceId))
            {
                ["Status"] = status.ToString(),
                ["Output"] = outputJson,
                ["Error"] = error,
                ["UpdatedAt"] = time.GetUtcNow(),
            },
            ETag.All,
            TableUpdateMode.Merge,
            cancellationToken);

    // Row keys may not hold / \ # ? or control characters.
    private static string Key(string instanceId) => Uri.EscapeDataString(instanceId);

    private static InProcessInstanceRecord FromEntity(TableEntity e) => new(
        e.GetString("InstanceId") ?? Uri.UnescapeDataString(e.RowKey),
        e.GetString("Name") ?? string.Empty,
        e.GetString("Input") ?? "null",
        e.GetInt32("Generation") ?? 0,
        Enum.TryParse<InProcessInstanceStatus>(e.GetString("Status"), out var status) ? status : InProcessInstanceStatus.Failed,
        e.GetString("Output"),
        e.GetString("Error"),
        e.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue);
}
