using Microsoft.Extensions.DependencyInjection;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.Sandbox;

public static class SandboxServiceCollectionExtensions
{
    public static IServiceCollection AddSandboxEngine(this IServiceCollection services)
    {
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.Section);
        services.AddSingleton<SandboxEngine>();
        services.AddSingleton<IWhatsAppEngine>(sp => sp.GetRequiredService<SandboxEngine>());
        services.AddSingleton<IWhatsAppSessionEngine>(sp => sp.GetRequiredService<SandboxEngine>());
        return services;
    }
}
