using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Limits;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Queues;
using WaServerless.Storage;
using WaServerless.Storage.Messages;
using WaServerless.TestKit;
using WaServerless.Workflows.InProcess;

namespace WaServerless.Workflows.Tests;

/// <summary>
/// The workflows wired as the devhost wires them (storage, queues, workflows, the in-process runner)
/// on the shared Azurite under a fresh name prefix, with a fake clock. Hosted services are started
/// by hand; disposing stops the runner where it is, as a process stop would.
/// </summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _started = [];

    private WorkflowHarness(ServiceProvider provider, string prefix)
    {
        _provider = provider;
        Prefix = prefix;
    }

    public string Prefix { get; }

    public IServiceProvider Services => _provider;

    public InProcessOrchestrationRunner Runner => _provider.GetRequiredService<InProcessOrchestrationRunner>();

    public MessageStore Messages => _provider.GetRequiredService<MessageStore>();

    public IQueueTransport Queues => _provider.GetRequiredService<IQueueTransport>();

    public static async Task<WorkflowHarness> StartAsync(FakeTimeProvider clock, string? prefix = null, Action<IServiceCollection>? configure = null)
    {
        var azurite = await Azurite.Shared;
        prefix ??= Azurite.NewPrefix();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = prefix,
            ["Workflows:RetryInitialDelay"] = "00:00:05",
            ["Workflows:RetryMaxDelay"] = "00:01:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddWaServerlessStorage().AddWaServerlessQueues().AddWaServerlessWorkflows().AddInProcessWorkflowRunner();
        configure?.Invoke(services);
        var harness = new WorkflowHarness(services.BuildServiceProvider(), prefix);
        foreach (var hosted in harness._provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(default);
            harness._started.Add(hosted);
        }

        return harness;
    }

    public static Caller NewCaller(string accountId) => new(
        new ApiKeyRecord("key_1", accountId, "test", "wsk_test", DateTimeOffset.UnixEpoch, null, null),
        new Account(accountId, "Test", AccountStatus.Active, "starter", 1000, "default", DateTimeOffset.UnixEpoch, null));

    /// <summary>A message accepted and taken by the connector for its first attempt (status sending).</summary>
    public static async Task<SendCommand> SendingMessageAsync(MessageStore messages, TimeProvider clock, string accountId)
    {
        var request = new SendRequest("+14155550123", new TextContent("hello"), Priority.Normal, null);
        var command = new SendCommand
        {
            MessageId = MessageIds.New(clock),
            AccountId = accountId,
            SessionId = "default",
            Recipient = request.Recipient,
            Content = request.Content,
            Priority = request.Priority.Value,
            AcceptedAt = clock.GetUtcNow(),
        };
        var accepted = await messages.AcceptAsync(NewCaller(accountId), SendLimits.Unlimited, request, command, (m, _) => new StoredResponse(202, "{}"), default);
        Assert.IsType<AcceptResult.Accepted>(accepted);
        await messages.CompleteOutboxAsync(accountId, command.MessageId, default);
        var (_, changed) = await messages.TryAdvanceAsync(accountId, command.MessageId, new StatusUpdate(MessageStatus.Sending, clock.GetUtcNow(), 1), default);
        Assert.True(changed);
        return command;
    }

    /// <summary>Every SendCommand on a lane right now, completed so the next look sees only new ones.</summary>
    public async Task<IReadOnlyList<SendCommand>> DrainLaneAsync(Lane lane)
    {
        var commands = new List<SendCommand>();
        foreach (var message in await Queues.ReceiveAsync(QueueNames.ForLane(lane), 32, default))
        {
            commands.Add(SendCommandQueue.Read(message)!);
            await Queues.CompleteAsync(message, default);
        }

        return commands;
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].StopAsync(default);
        }

        await _provider.DisposeAsync();
    }
}
