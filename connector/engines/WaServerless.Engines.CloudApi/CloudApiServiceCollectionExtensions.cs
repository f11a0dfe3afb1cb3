using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.CloudApi;

public static class CloudApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Cloud API engine as <see cref="IWhatsAppEngine"/>, its health check and webhook,
    /// with options bound from "CloudApi" and validated when the host starts.
    /// </summary>
    public static IServiceCollection AddCloudApiEngine(this IServiceCollection services)
    {
        services.AddOptions<CloudApiOptions>()
            .BindConfiguration(CloudApiOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient<CloudApiEngine>(Configure).UsePooledConnections();
        services.AddHttpClient<CloudApiHealthCheck>(Configure).UsePooledConnections();
        services.AddSingleton<IWhatsAppEngine>(sp => sp.GetRequiredService<CloudApiEngine>());
        services.AddSingleton<CloudApiWebhook>();
        return services;
    }

    private static void Configure(IServiceProvider services, HttpClient client)
    {
        var o = services.GetRequiredService<IOptions<CloudApiOptions>>().Value;
        client.BaseAddress = CloudApiPaths.BaseAddress(o);
        client.Timeout = o.RequestTimeout;
    }

    // The engine is a singleton holding one typed HttpClient for the process's life, so the handler
    // is never rotated by the factory; pooled connections that expire keep DNS changes visible instead.
    private static IHttpClientBuilder UsePooledConnections(this IHttpClientBuilder builder) =>
        builder
            .UseSocketsHttpHandler((handler, _) => handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5))
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
}
