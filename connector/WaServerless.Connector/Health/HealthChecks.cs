using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using WaServerless.Connector.Sessions;
using WaServerless.Queues;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Connector.Health;

/// <summary>
/// Liveness and readiness, as eShop's service defaults split them: /healthz answers while the
/// process serves requests (no checks: a restart cannot fix a storage outage), /readyz checks what a
/// send needs (storage, the queue transport, the session supervisor's scans). Both hosts map the same.
/// </summary>
internal static class HealthCheckExtensions
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddWaServerlessHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag])
            .AddCheck<QueueTransportHealthCheck>("queues", tags: [ReadyTag])
            .AddCheck<SessionSupervisorHealthCheck>("sessions", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapWaServerlessHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag) });
        return app;
    }
}

/// <summary>One table-service round trip.</summary>
internal sealed class StorageHealthCheck(StorageClients clients) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in clients.Tables.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
            {
                break;
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("storage is unreachable", e);
        }
    }
}

/// <summary>One round trip to the queue transport (a peek at the events queue's dead letters).</summary>
internal sealed class QueueTransportHealthCheck(IQueueTransport transport) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await transport.PeekDeadLettersAsync(QueueNames.Events, 1, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("the queue transport is unreachable", e);
        }
    }
}

/// <summary>The supervisor has scanned for sessions recently (it is what keeps sessions owned and alive).</summary>
internal sealed class SessionSupervisorHealthCheck(SessionSupervisor supervisor, IOptions<ConnectorOptions> options, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("the connector is off in this host"));
        }

        // A few missed scans are normal under load; many mean the loop is stuck or failing.
        var patience = TimeSpan.FromTicks(options.Value.SessionScanInterval.Ticks * 5) + TimeSpan.FromSeconds(30);
        return Task.FromResult(supervisor.LastScanAt is { } last
            ? time.GetUtcNow() - last <= patience
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"no session scan has finished since {last:O}")
            : HealthCheckResult.Unhealthy("the first session scan has not finished yet"));
    }
}
