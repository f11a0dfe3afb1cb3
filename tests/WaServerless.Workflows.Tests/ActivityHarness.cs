using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Contracts;
using WaServerless.Core.Sending;
using WaServerless.Queues;
using WaServerless.Storage;
using WaServerless.Storage.Messages;
using WaServerless.TestKit;

namespace WaServerless.Workflows.Tests;

/// <summary>
/// The activities and stores wired as both hosts wire them, without an engine, on the shared Azurite
/// under a fresh name prefix and a fake clock: for the steps that orchestrations call.
/// </summary>
internal sealed class ActivityHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _started = [];

    private ActivityHarness(ServiceProvider provider) => _provider = provider;

    public IServiceProvider Services => _provider;

    public MessageStore Messages => _provider.GetRequiredService<MessageStore>();

    public IQueueTransport Queues => _provider.GetRequiredService<IQueueTransport>();

    public static async Task<ActivityHarness> StartAsync(FakeTimeProvider clock, Action<IServiceCollection>? configure = null)
    {
        var azurite = await Azurite.Shared;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = Azurite.NewPrefix(),
            ["Workflows:RetryInitialDelay"] = "00:00:05",
            ["Workflows:RetryMaxDelay"] = "00:01:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddWaServerlessStorage().AddWaServerlessQueues().AddWaServerlessWorkflows();
        configure?.Invoke(services);
        var harness = new ActivityHarness(services.BuildServiceProvider());
        foreach (var hosted in harness._provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(default);
            harness._started.Add(hosted);
        }

        return harness;
    }

    public Task<IReadOnlyList<SendCommand>> DrainLaneAsync(Lane lane) => WorkflowHarness.DrainLaneAsync(Queues, lane);

    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(default);
        }

        await _provider.DisposeAsync();
    }
}
