using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Campaigns;
using WaServerless.Api.Accounts;
using WaServerless.Api.Auth;
using WaServerless.Api.Bulk;
using WaServerless.Api.Http;
using WaServerless.Api.Messages;
using WaServerless.Api.OpenApi;
using WaServerless.Api.Sessions;
using WaServerless.Api.Sending;
using WaServerless.Api.Webhooks;

namespace WaServerless.Api;

public static class ApiServiceCollectionExtensions
{
    /// <summary>The HTTP handlers and what they share; storage and queues are added by the host.</summary>
    public static IServiceCollection AddWaServerlessApi(this IServiceCollection services)
    {
        services.AddOptions<ApiOptions>().BindConfiguration(ApiOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RequestDeadline>();
        services.AddSingleton<RequestFieldsReader>();
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<SendHandler>();
        services.AddSingleton<MessagesHandler>();
        services.AddSingleton<WaServerless.Api.Inbound.InboundHandler>();
        services.AddSingleton<OutboxSweeper>();
        services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section);
        services.AddSingleton<AdminAuthenticator>();
        services.AddSingleton<CallerGate>();
        services.AddSingleton<AccountsHandler>();
        services.AddSingleton<Auth.OAuthHandler>();
        services.AddSingleton<Lookups.GroupsHandler>();
        services.AddSingleton<Compat.SmsMobileApi.SmsMobileApiHandler>();
        services.AddSingleton<Compat.V1.V1Handler>();
        services.AddSingleton<Compat.SmartWats.SmartWatsHandler>();
        services.AddSingleton<Compat.SmsGlobal.SmsGlobalHandler>();
        services.AddSingleton<Lookups.NumberChecksHandler>();
        services.AddOptions<Lookups.LookupOptions>().BindConfiguration(Lookups.LookupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OpenApiHandler>();
        services.AddSingleton<SessionsHandler>();
        services.AddSingleton<WebhooksHandler>();
        services.AddSingleton<Consent.ConsentHandler>();
        services.AddOptions<BulkOptions>().BindConfiguration(BulkOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BulkRequestReader>();
        services.AddSingleton<CampaignUploadStore>();
        services.AddSingleton<BulkHandler>();
        services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MediaOptions>, MediaOptionsValidation>();
        services.AddSingleton<MediaSizeProbe>();
        services.AddSingleton<Compat.CompatMediaCheck>();
        services.AddSingleton<MediaGuard>();
        services.AddSingleton<EngineSupport>();
        services.AddOptions<WaServerless.Core.Engines.WahaSendingOptions>().BindConfiguration(WaServerless.Core.Engines.WahaSendingOptions.Section).ValidateOnStart();
        services.AddHttpClient(MediaSizeProbe.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        return services;
    }
}
