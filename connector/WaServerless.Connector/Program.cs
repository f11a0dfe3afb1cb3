using WaServerless.Connector.Health;
using WaServerless.Connector.Webhooks;
using WaServerless.Queues;
using WaServerless.Storage;
using WaServerless.Telemetry;

namespace WaServerless.Connector;

internal static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddWaServerlessPlans();
        builder.Services.AddWaServerlessStorage().AddWaServerlessQueues().AddWaServerlessConnector(builder.Configuration)
            .AddWaServerlessTelemetry(builder.Configuration, "waserverless-connector");
        builder.Services.AddWaServerlessHealthChecks();
        var app = builder.Build();
        app.MapWaServerlessHealthChecks();
        app.MapCloudApiWebhook();
        app.MapWahaWebhook();
        await app.RunAsync();
    }
}
