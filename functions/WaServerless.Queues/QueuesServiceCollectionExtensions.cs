using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WaServerless.Queues.ServiceBus;
using WaServerless.Queues.StorageQueues;

namespace WaServerless.Queues;

public static class QueuesServiceCollectionExtensions
{
    /// <summary>The queue port on the transport that Queues:Transport names (StorageQueues by default).</summary>
    public static IServiceCollection AddWaServerlessQueues(this IServiceCollection services)
    {
        services.AddOptions<QueueOptions>().BindConfiguration(QueueOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ServiceBusConnectionOptions>().BindConfiguration(ServiceBusConnectionOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IQueueTransport>(sp =>
            sp.GetRequiredService<IOptions<QueueOptions>>().Value.Transport == QueueTransportKind.ServiceBus
                ? ActivatorUtilities.CreateInstance<ServiceBusTransport>(sp)
                : ActivatorUtilities.CreateInstance<StorageQueueTransport>(sp));
        services.AddSingleton<SendCommandQueue>();
        services.AddSingleton<EventsQueue>();
        services.TryAddSingleton<MessageStatusWriter>();
        return services;
    }
}
