using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WaServerless.Connector.Receipts;
using WaServerless.Connector.Sending;
using WaServerless.Connector.Sessions;
using WaServerless.Core.Engines;
using WaServerless.Engines.CloudApi;
using WaServerless.Engines.Sandbox;

namespace WaServerless.Connector;

public static class ConnectorServiceCollectionExtensions
{
    /// <summary>
    /// The connector's parts: the lane consumer (idle unless Connector:Enabled), the send processor, receipts,
    /// and the engine. Storage and queues are added by the host.
    /// </summary>
    public static IServiceCollection AddWaServerlessConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ConnectorOptions>().BindConfiguration(ConnectorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StatusRecorder>();
        services.AddSingleton<SendCommandProcessor>();
        services.AddSingleton<SessionPacer>();
        services.AddSingleton<ReceiptSink>();
        services.AddSingleton<IEngineEventSink, EngineEventRouter>();
        services.AddSingleton<SessionSupervisor>();
        services.AddSingleton<ISessionDirectory>(sp => sp.GetRequiredService<SessionSupervisor>());
        services.AddHostedService(sp => sp.GetRequiredService<SessionSupervisor>());
        // Only the chosen engine is registered, so only its options are validated at start.
        var engine = configuration.GetValue(ConnectorOptions.Section + ":" + nameof(ConnectorOptions.Engine), EngineKind.Sandbox);
        if (engine == EngineKind.CloudApi)
        {
            services.AddCloudApiEngine();
            services.AddSingleton<IWhatsAppSessionEngine, CloudApiSessionEngine>();
        }
        else
        {
            services.AddSandboxEngine();
        }

        services.AddHostedService<LaneConsumer>();

        return services;
    }
}
