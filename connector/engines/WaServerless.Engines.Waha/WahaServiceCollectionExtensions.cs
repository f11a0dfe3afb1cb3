using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace WaServerless.Engines.Waha;

public static class WahaServiceCollectionExtensions
{
    /// <summary>
    /// Registers the WAHA engine (<see cref="WahaEngine"/> for sends, <see cref="WahaSessionEngine"/>
    /// for sessions and webhooks) with options bound from "Waha" and validated when the host starts.
    /// The host provides an <see cref="Core.Engines.IMediaFetcher"/> and an <see cref="Core.Engines.IEngineEventSink"/>.
    /// </summary>
    public static IServiceCollection AddWahaEngine(this IServiceCollection services)
    {
        services.AddOptions<WahaOptions>()
            .BindConfiguration(WahaOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient<WahaClient>((sp, client) =>
            {
                var o = sp.GetRequiredService<IOptions<WahaOptions>>().Value;
                var text = o.BaseUrl.AbsoluteUri;
                client.BaseAddress = new Uri(text.EndsWith('/') ? text : text + "/");
                client.Timeout = o.RequestTimeout;
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        services.AddSingleton<WahaEngine>();
        services.AddSingleton<WahaSessionEngine>();
        return services;
    }
}
