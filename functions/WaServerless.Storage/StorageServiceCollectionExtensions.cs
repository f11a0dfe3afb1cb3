using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Messages;

namespace WaServerless.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Tables and Blobs for every store, options bound from "Storage" and validated at start.</summary>
    public static IServiceCollection AddWaServerlessStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MessageStoreOptions>().BindConfiguration(MessageStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StorageClients>();
        services.AddHostedService<StorageInitializer>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<EngineMessageIndex>();
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
