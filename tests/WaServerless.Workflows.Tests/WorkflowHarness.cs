using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Limits;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Queues;
using WaServerless.Storage;
using WaServerless.Storage.Messages;
using WaServerless.TestKit;

namespace WaServerless.Workflows.Tests;

/// <summary>
/// The workflows on the real Durable Task engine (DurableTaskTestHost: an in-memory backend behind
/// the same gRPC worker and client the hosts use), with the stores and queues on the shared Azurite
/// under a fresh name prefix. Engine timers are real time, so the settings keep them short.
/// </summary>
internal sealed class WorkflowHarness : IAsyncDisposable
{
    private readonly DurableTaskTestHost _host;

    private WorkflowHarness(DurableTaskTestHost host, string prefix)
    {
        _host = host;
        Prefix = prefix;
    }

    public string Prefix { get; }

    public IServiceProvider Services => _host.Services;

    public DurableTaskClient Client => _host.Client;

    /// <summary>The hosts' adapter over the engine's client, as the dispatcher and handlers get it.</summary>
    public IWorkflowClient Workflows => new DurableWorkflowClient(_host.Client);

    public MessageStore Messages => Services.GetRequiredService<MessageStore>();

    public IQueueTransport Queues => Services.GetRequiredService<IQueueTransport>();

    public static async Task<WorkflowHarness> StartAsync(
        Dictionary<string, string?>? settings = null,
        Action<IServiceCollection>? configure = null,
        Action<DurableTaskRegistry>? tasks = null)
    {
        var azurite = await Azurite.Shared;
        var prefix = Azurite.NewPrefix();
        var values = new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = prefix,
            ["Workflows:RetryInitialDelay"] = "00:00:00.200",
            ["Workflows:RetryMaxDelay"] = "00:00:01",
            ["Workflows:RetryJitter"] = "0",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddWaServerlessPlans().AddInMemoryCollection(values).Build();
        var host = await DurableTaskTestHost.StartAsync(
            registry =>
            {
                registry.AddWaServerlessWorkflows();
                tasks?.Invoke(registry);
            },
            new DurableTaskTestHostOptions
            {
                Port = LoopbackPorts.Free(),
                ConfigureServices = services =>
                {
                    services.AddSingleton<IConfiguration>(configuration);
                    services.AddWaServerlessStorage().AddWaServerlessQueues().AddWaServerlessWorkflows();
                    configure?.Invoke(services);
                },
            });
        return new WorkflowHarness(host, prefix);
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
            SessionKey = "default",
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
    public Task<IReadOnlyList<SendCommand>> DrainLaneAsync(Lane lane) => DrainLaneAsync(Queues, lane);

    public static async Task<IReadOnlyList<SendCommand>> DrainLaneAsync(IQueueTransport queues, Lane lane)
    {
        var commands = new List<SendCommand>();
        foreach (var message in await queues.ReceiveAsync(QueueNames.ForLane(lane), 32, default))
        {
            commands.Add(SendCommandQueue.Read(message)!);
            await queues.CompleteAsync(message, default);
        }

        return commands;
    }

    /// <summary>Waits for the instance to finish and reads its output.</summary>
    public async Task<(OrchestrationRuntimeStatus Status, T? Output)> CompletionAsync<T>(string instanceId, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        var done = await _host.Client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        return (done.RuntimeStatus, done.ReadOutputAs<T>());
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
