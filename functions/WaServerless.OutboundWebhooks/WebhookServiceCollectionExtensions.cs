using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Webhooks;
using WaServerless.Queues;

namespace WaServerless.OutboundWebhooks;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Outbound webhooks: the events-queue subscriber, the deliverer (first attempts and the retry
    /// sweep, which each host runs on its own timer) and the "webhooks" HTTP client. Needs
    /// AddWaServerlessStorage (the stores and Webhooks options).
    /// </summary>
    public static IServiceCollection AddWaServerlessOutboundWebhooks(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<WebhookDeliverer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSubscriber, WebhookEventSubscriber>());
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookSender.CreateHandler(sp.GetRequiredService<IOptions<WebhookOptions>>().Value))
            // The attempt's own deadline applies; the client's default 100 s must not cut in first.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
        return services;
    }
}
