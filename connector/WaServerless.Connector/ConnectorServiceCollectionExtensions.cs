using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WaServerless.Connector.Inbound;
using WaServerless.Connector.Media;
using WaServerless.Connector.Receipts;
using WaServerless.Connector.Sending;
using WaServerless.Connector.Sessions;
using WaServerless.Core.Engines;
using WaServerless.Engines.CloudApi;
using WaServerless.Core.Net;
using WaServerless.Engines.Sandbox;
using WaServerless.Engines.Waha;

namespace WaServerless.Connector;

internal static class ConnectorServiceCollectionExtensions
{
    /// <summary>
    /// The connector's parts: the lane consumer (idle unless Connector:Enabled), the send processor, receipts,
    /// and the engine. Storage and queues are added by the host.
    /// </summary>
    public static IServiceCollection AddWaServerlessConnector(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ConnectorOptions>().BindConfiguration(ConnectorOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<WaServerless.Storage.Sessions.SessionOptions>, SessionEncryptionRequirement>();
        services.AddSingleton<StatusRecorder>();
        services.AddSingleton<SendCommandProcessor>();
        services.AddSingleton<ISendCommandHandler>(sp => sp.GetRequiredService<SendCommandProcessor>());
        services.AddSingleton<SessionPacer>();
        services.AddSingleton<RecipientLimits>();
        services.AddSingleton<ReceiptSink>();
        services.AddSingleton<InboundRecorder>();
        services.AddOptions<WaServerless.Core.Consent.ConsentOptions>().BindConfiguration(WaServerless.Core.Consent.ConsentOptions.Section);
        services.AddSingleton<IEngineEventSink, EngineEventRouter>();
        services.AddSingleton<SessionLookups>();
        services.AddSingleton<SessionSupervisor>();
        services.AddSingleton<ISessionStateListener, SessionEventsPublisher>();
        services.AddSingleton<ISessionDirectory>(sp => sp.GetRequiredService<SessionSupervisor>());
        services.AddHostedService(sp => sp.GetRequiredService<SessionSupervisor>());
        // Sessions choose their engine. The Sandbox needs no configuration and is always here (the API's
        // Sessions:AllowedEngines decides whether anyone may create a session on it); the Cloud API is
        // registered, and its options validated at start, when it is the default or configured.
        var defaultEngine = configuration.GetValue(ConnectorOptions.Section + ":" + nameof(ConnectorOptions.Engine), EngineKind.Sandbox);
        services.AddSandboxEngine();
        services.AddSingleton(sp => new EngineRegistration(EngineNames.Sandbox, sp.GetRequiredService<SandboxEngine>(), sp.GetRequiredService<SandboxEngine>()));
        if (defaultEngine == EngineKind.CloudApi || !string.IsNullOrEmpty(configuration[CloudApiOptions.Section + ":" + nameof(CloudApiOptions.PhoneNumberId)]))
        {
            services.AddCloudApiEngine();
            services.AddSingleton<CloudApiSessionEngine>();
            services.AddSingleton(sp => new EngineRegistration(
                EngineNames.CloudApi,
                sp.GetRequiredService<CloudApiEngine>(),
                sp.GetRequiredService<CloudApiSessionEngine>(),
                sp.GetRequiredService<IOptions<CloudApiOptions>>().Value.PhoneNumberId));
        }

        // WhatsApp Web through the WAHA sidecar: when it is the default or its API key is configured.
        if (defaultEngine == EngineKind.Waha || !string.IsNullOrEmpty(configuration[WahaOptions.Section + ":" + nameof(WahaOptions.ApiKey)]))
        {
            services.AddWahaEngine();
            services.AddSingleton(sp => new EngineRegistration(EngineNames.Waha, sp.GetRequiredService<WahaEngine>(), sp.GetRequiredService<WahaSessionEngine>()));
        }

        services.AddConnectorMediaFetcher();
        services.AddSingleton(sp => new EngineCatalog(sp.GetServices<EngineRegistration>(), defaultEngine switch
        {
            EngineKind.CloudApi => EngineNames.CloudApi,
            EngineKind.Waha => EngineNames.Waha,
            _ => EngineNames.Sandbox,
        }));

        services.AddHostedService<LaneConsumer>();

        return services;
    }

    /// <summary>The "media" client (public addresses only, checked at connect time) and the fetcher engines that upload bytes use.</summary>
    private static IServiceCollection AddConnectorMediaFetcher(this IServiceCollection services)
    {
        services.AddOptions<MediaFetchOptions>().BindConfiguration(MediaFetchOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MediaFetchOptions>, MediaFetchOptionsValidation>();
        services.AddHttpClient(ConnectorMediaFetcher.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var o = sp.GetRequiredService<IOptions<MediaFetchOptions>>().Value;
                return PublicOnlyHttpHandler.Create(o.AllowPrivateHosts, o.ConnectTimeout, host => new MediaAddressBlockedException(host));
            });
        services.AddSingleton<IMediaFetcher, ConnectorMediaFetcher>();
        return services;
    }
}
