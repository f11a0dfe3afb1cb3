using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Sessions;
using WaServerless.Storage.Webhooks;

namespace WaServerless.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Adds plans.json (shipped next to the app) as the first, lowest-priority configuration source.</summary>
    public static IConfigurationBuilder AddWaServerlessPlans(this IConfigurationBuilder configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var source = new JsonConfigurationSource { Path = Path.Combine(AppContext.BaseDirectory, "plans.json"), Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        configuration.Sources.Insert(0, source);
        return configuration;
    }

    /// <summary>Tables and Blobs for every store, options bound from "Storage" and validated at start.</summary>
    public static IServiceCollection AddWaServerlessStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MessageStoreOptions>().BindConfiguration(MessageStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PlanOptions>()
            .Configure<IConfiguration>((o, configuration) => configuration.GetSection(PlanOptions.Section).Bind(o.Plans))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<LimitOptions>().BindConfiguration(LimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PlanCatalog>();
        services.AddSingleton<StorageClients>();
        services.AddHostedService<StorageInitializer>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<OAuthClientStore>();
        services.AddSingleton<MacCredentialStore>();
        services.AddSingleton<Aliases.NumericIdStore>();
        services.AddSingleton<GroupDirectory>();
        services.AddSingleton<NumberCheckStore>();
        services.AddSingleton<AllowanceLeases>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<OutboxCompletions>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxCompletions>());
        services.AddSingleton<EngineMessageIndex>();
        services.AddOptions<SessionOptions>().BindConfiguration(SessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SessionCredentialStore>();
        services.AddSingleton<EngineAddressIndex>();
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookStore>();
        services.AddSingleton<WebhookDeliveryStore>();
        services.AddSingleton<WaServerless.Storage.Inbound.InboundMessageStore>();
        services.AddSingleton<WaServerless.Storage.Recipients.RecipientSendLedger>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
