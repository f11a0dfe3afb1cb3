using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WaServerless.Storage.Campaigns;
using WaServerless.Workflows.Campaigns;
using WaServerless.Queues;
using WaServerless.Workflows.Retry;
using WaServerless.Workflows.Signals;

namespace WaServerless.Workflows;

public static class WorkflowServiceCollectionExtensions
{
    /// <summary>
    /// The orchestrators, activities and what they use, for either host. Needs AddWaServerlessStorage
    /// and AddWaServerlessQueues. Options bound from "Workflows" and validated at start.
    /// </summary>
    public static IServiceCollection AddWaServerlessWorkflows(this IServiceCollection services)
    {
        services.AddOptions<WorkflowOptions>().BindConfiguration(WorkflowOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CampaignStore>();
        services.TryAddSingleton<CampaignRecipientListStore>();
        services.TryAddSingleton<SessionWaiters>();
        services.TryAddSingleton<MessageStatusWriter>();
        services.TryAddSingleton<ICampaignSendAcceptor, MessageStoreCampaignSendAcceptor>();
        services.TryAddSingleton<WorkflowDispatcher>();
        services.TryAddSingleton<EventsRouter>();
        services.TryAddSingleton<WorkflowStorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkflowStorageInitializer>());
        foreach (var activity in WorkflowTasks.Activities)
        {
            // The Functions app's [ActivityTrigger] wrappers take them from DI; the gRPC worker makes its own.
            services.TryAddTransient(activity);
        }

        return services;
    }

    /// <summary>
    /// Registers the orchestrators and activities with a Durable Task worker under their class names
    /// (the names the orchestrations schedule and the Functions app's wrappers carry).
    /// </summary>
    public static DurableTaskRegistry AddWaServerlessWorkflows(this DurableTaskRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (var orchestrator in WorkflowTasks.Orchestrators)
        {
            registry.AddOrchestrator(orchestrator);
        }

        foreach (var activity in WorkflowTasks.Activities)
        {
            registry.AddActivity(activity);
        }

        return registry;
    }
}
