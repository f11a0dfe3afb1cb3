using WaServerless.Api;
using WaServerless.Connector;
using WaServerless.Connector.Health;
using WaServerless.Connector.Webhooks;
using WaServerless.DevHost.Durable;
using WaServerless.OutboundWebhooks;
using WaServerless.Queues;
using WaServerless.Storage;
using WaServerless.Telemetry;
using WaServerless.Workflows;

namespace WaServerless.DevHost;

/// <summary>Builds the local stack; tests build it the same way with their own configuration.</summary>
internal static class DevHostApplication
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddWaServerlessPlans();
        // First, so that configuration a test adds is there when the connector picks its engines.
        configure?.Invoke(builder);
        builder.Services
            .AddLocalDurableEngine(builder.Configuration)
            .AddWaServerlessStorage()
            .AddWaServerlessQueues()
            .AddWaServerlessApi()
            .AddWaServerlessConnector(builder.Configuration)
            .AddWaServerlessWorkflows()
            .AddWaServerlessOutboundWebhooks()
            .AddWaServerlessDevHost()
            .AddWaServerlessHealthChecks()
            .AddWaServerlessTelemetry(builder.Configuration, "waserverless-devhost");

        var app = builder.Build();
        app.MapWaServerlessApi();
        app.MapSandboxControl();
        app.MapCloudApiWebhook();
        app.MapWahaWebhook();
        app.MapWaServerlessHealthChecks();
        return app;
    }
}
