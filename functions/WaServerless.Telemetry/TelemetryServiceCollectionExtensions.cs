using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using WaServerless.Core.Telemetry;

namespace WaServerless.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Traces (the WaServerless source, ASP.NET Core, outgoing HTTP), metrics (the WaServerless meter)
    /// and logs through OpenTelemetry. With APPLICATIONINSIGHTS_CONNECTION_STRING set they go to
    /// Application Insights, signed in with the managed identity (AZURE_CLIENT_ID) because the
    /// resource accepts Entra-authenticated telemetry only; without it nothing is exported.
    /// </summary>
    public static IServiceCollection AddWaServerlessTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var clientId = configuration["AZURE_CLIENT_ID"];
        var export = !string.IsNullOrWhiteSpace(connectionString);

        void Configure(AzureMonitorExporterOptions o)
        {
            o.ConnectionString = connectionString;
            o.Credential = string.IsNullOrWhiteSpace(clientId)
                ? new DefaultAzureCredential()
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] ?? serviceName))
            .WithTracing(t =>
            {
                t.AddSource(WaTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (export)
                {
                    t.AddAzureMonitorTraceExporter(Configure);
                }
            })
            .WithMetrics(m =>
            {
                m.AddMeter(WaTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (export)
                {
                    m.AddAzureMonitorMetricExporter(Configure);
                }
            });

        if (export)
        {
            telemetry.WithLogging(l => l.AddAzureMonitorLogExporter(Configure));
        }

        return services;
    }
}
