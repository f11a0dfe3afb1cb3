using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WaServerless.Storage.Campaigns;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.InProcess;
using WaServerless.Queues;
using WaServerless.Workflows.Retry;
using WaServerless.Workflows.Signals;
using WaServerless.Workflows.Webhooks;

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
        services.AddWaServerlessWebhooks();
        services.TryAddSingleton<WorkflowStorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkflowStorageInitializer>());
        services.TryAddSingleton(sp => new WorkflowRegistry(sp.GetServices<WorkflowRegistration>()));

        services.AddWorkflowOrchestrator<RetrySendOrchestrator>();
        services.AddWorkflowOrchestrator<BulkCampaignOrchestrator>();
        services.AddWorkflowActivity<ScheduleRetryActivity>();
        services.AddWorkflowActivity<RequeueSendActivity>();
        services.AddWorkflowActivity<MarkRetryFailedActivity>();
        services.AddWorkflowActivity<LoadCampaignActivity>();
        services.AddWorkflowActivity<PrepareCampaignRecipientsActivity>();
        services.AddWorkflowActivity<ReleaseCampaignBatchActivity>();
        services.AddWorkflowActivity<SetCampaignStatusActivity>();
        return services;
    }

    /// <summary>
    /// The devhost's engine: <see cref="InProcessOrchestrationRunner"/> as the <see cref="IWorkflowClient"/>,
    /// resuming unfinished instances at start. Not for the Functions app, where Durable Functions runs them.
    /// </summary>
    public static IServiceCollection AddInProcessWorkflowRunner(this IServiceCollection services)
    {
        services.TryAddSingleton<InProcessInstanceStore>();
        services.TryAddSingleton<InProcessOrchestrationRunner>();
        services.TryAddSingleton<IWorkflowClient>(sp => sp.GetRequiredService<InProcessOrchestrationRunner>());
        services.AddHostedService<InProcessWorkflowHost>();
        return services;
    }

    /// <summary>Registers an orchestrator class under its class name.</summary>
    public static IServiceCollection AddWorkflowOrchestrator<T>(this IServiceCollection services)
        where T : class, ITaskOrchestrator
    {
        services.AddSingleton(new WorkflowRegistration(typeof(T).Name, typeof(T), IsOrchestrator: true));
        return services;
    }

    /// <summary>Registers an activity class under its class name; a fresh one per call, from a scope.</summary>
    public static IServiceCollection AddWorkflowActivity<T>(this IServiceCollection services)
        where T : class, ITaskActivity
    {
        services.TryAddTransient<T>();
        services.AddSingleton(new WorkflowRegistration(typeof(T).Name, typeof(T), IsOrchestrator: false));
        return services;
    }
}
