using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Net.Sockets;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Infrastructure;
using WaServerless.Workflows;

namespace WaServerless.DevHost.Durable;

/// <summary>Bound from "DurableTask": the devhost's own task hub on Azurite and its local sidecar.</summary>
internal sealed class LocalDurableOptions
{
    public const string Section = "DurableTask";

    /// <summary>Letters and digits, 3 to 45, starting with a letter; by default "devhost" and the storage name prefix.</summary>
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,44}$|^$", ErrorMessage = "DurableTask:TaskHubName must be 3 to 45 letters and digits, starting with a letter.")]
    public string? TaskHubName { get; set; }

    /// <summary>The sidecar's loopback port; 0 takes a free one.</summary>
    [Range(0, 65535)]
    public int SidecarPort { get; set; }

    /// <summary>Control queues of the task hub; one is plenty on one machine and polls the least.</summary>
    [Range(1, 16)]
    public int PartitionCount { get; set; } = 1;

    /// <summary>The longest the engine waits between polls of an idle queue (its default, 30 s, would make every first step that slow).</summary>
    public TimeSpan MaxQueuePollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a control-queue lease of a process that died (kill -9) holds its orchestrations before
    /// the next start takes them over (the engine's default is 30 s, made for many workers sharing a hub).
    /// </summary>
    public TimeSpan PartitionLeaseInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a message a dead process had taken stays invisible before it is processed again (the
    /// engine's default is 5 minutes; it renews the lock of work that is still running).
    /// </summary>
    public TimeSpan WorkItemVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public string TaskHubFor(string storageNamePrefix) =>
        TaskHubName is { Length: > 0 } name ? name : "devhost" + storageNamePrefix;
}

/// <summary>Where the sidecar listens, fixed when the services are registered so the worker and client can be pointed at it.</summary>
internal sealed record LocalDurableEndpoint(int Port)
{
    public string Address => $"http://127.0.0.1:{Port}";

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal static class LocalDurableEngineExtensions
{
    /// <summary>
    /// The orchestrations on the real Durable Task engine: DurableTask.AzureStorage on the devhost's
    /// storage (Azurite), served by InProcessTestHost's public TaskHubGrpcServer in a host of its own, and the
    /// standard gRPC worker and client in front of it, so the Api and Workflows code gets the same
    /// <see cref="DurableTaskClient"/> as in the Functions app. Register before anything that runs
    /// orchestrations: hosted services start in order and stop in reverse, so the sidecar is up before the
    /// worker connects and goes down after the worker has let go.
    /// </summary>
    public static IServiceCollection AddLocalDurableEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LocalDurableOptions>().BindConfiguration(LocalDurableOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var configured = configuration.GetSection(LocalDurableOptions.Section).GetValue<int?>(nameof(LocalDurableOptions.SidecarPort)) ?? 0;
        var endpoint = new LocalDurableEndpoint(configured == 0 ? LocalDurableEndpoint.FreeLoopbackPort() : configured);
        services.AddSingleton(endpoint);
        services.AddHostedService<DurableSidecarService>();

        services.AddDurableTaskWorker(builder =>
        {
            builder.AddTasks(registry => registry.AddWaServerlessWorkflows());
            builder.UseGrpc(endpoint.Address);
        });
        services.AddDurableTaskClient(builder => builder.UseGrpc(endpoint.Address));
        services.AddSingleton<IWorkflowClient>(sp => new DurableWorkflowClient(sp.GetRequiredService<DurableTaskClient>()));
        return services;
    }
}

/// <summary>
/// The sidecar host: Kestrel on HTTP/2 at the endpoint, TaskHubGrpcServer over one
/// AzureStorageOrchestrationService (service and client both), the task hub created first.
/// </summary>
internal sealed partial class DurableSidecarService(
    LocalDurableEndpoint endpoint,
    IOptions<LocalDurableOptions> options,
    IOptions<StorageOptions> storage,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WebApplication? _sidecar;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connectionString = storage.Value.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException("The devhost's Durable Task engine runs on Azurite: set Storage:ConnectionString.");
        }

        var taskHub = options.Value.TaskHubFor(storage.Value.NamePrefix);
        var engine = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = taskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            PartitionCount = options.Value.PartitionCount,
            MaxQueuePollingInterval = options.Value.MaxQueuePollingInterval,
            // One devhost per task hub: no app lease (it is for app versions sharing a hub, and a killed
            // process's app lease would hold the next start for a minute), short partition leases.
            UseAppLease = false,
            LeaseInterval = options.Value.PartitionLeaseInterval,
            LeaseRenewInterval = options.Value.PartitionLeaseInterval / 3,
            LeaseAcquireInterval = options.Value.PartitionLeaseInterval / 5,
            ControlQueueVisibilityTimeout = options.Value.WorkItemVisibilityTimeout,
            WorkItemQueueVisibilityTimeout = options.Value.WorkItemVisibilityTimeout,
            LoggerFactory = loggerFactory,
        });
        await engine.CreateIfNotExistsAsync();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, endpoint.Port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<IOrchestrationService>(engine);
        builder.Services.AddSingleton<IOrchestrationServiceClient>(engine);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var app = builder.Build();
        app.MapGrpcService<TaskHubGrpcServer>();
        await app.StartAsync(cancellationToken);
        _sidecar = app;
        LogStarted(loggerFactory.CreateLogger<DurableSidecarService>(), taskHub, endpoint.Address);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_sidecar is { } app)
        {
            await app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sidecar is { } app)
        {
            _sidecar = null;
            await app.DisposeAsync();
        }
    }

    [LoggerMessage(LogLevel.Information, "Durable Task engine: task hub {TaskHub} on Azurite, sidecar at {Address}")]
    private static partial void LogStarted(ILogger logger, string taskHub, string address);
}
