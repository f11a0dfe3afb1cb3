using System.Reflection;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WaServerless.Core.Accounts;
using WaServerless.Core.Limits;
using WaServerless.Core.Sending;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Messages;
using WaServerless.TestKit;
using WaServerless.Workflows;
using WaServerless.Workflows.Retry;
using WaServerless.Workflows.Signals;
using WaServerless.Api;
using WaServerless.Api.Portal;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Sessions;
using WaServerless.Functions.Http;
using WaServerless.Functions.Triggers;

namespace WaServerless.Functions.Tests;

public class FunctionRoutesTests
{
    /// <summary>
    /// What the Functions host serves: every API route under /api (host.json's routePrefix is empty
    /// so that the portal can sit at /portal, as on the devhost) and the portal's files.
    /// </summary>
    internal static IEnumerable<(string Method, string Route)> HostedRoutes =>
        ApiEndpoints.Routes.Select(r => (r.Method, ApiEndpoints.Prefix + "/" + r.Route)).Append(("GET", PortalSite.Path + "/{*path}"));

    private static IEnumerable<(string Method, string Route, MethodInfo Function)> HttpFunctions() =>
        typeof(SendFunctions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null)
            .SelectMany(m => m.GetParameters()
                .Select(p => p.GetCustomAttribute<HttpTriggerAttribute>())
                .OfType<HttpTriggerAttribute>()
                .SelectMany(t => t.Methods!.Select(verb => (verb.ToUpperInvariant(), t.Route!, m))));

    [Fact]
    public void Every_api_route_has_exactly_one_function_and_no_function_has_a_route_the_api_lacks()
    {
        var functions = HttpFunctions().Select(f => (f.Method, f.Route)).ToList();

        Assert.Equal(HostedRoutes.OrderBy(r => r.Route).ThenBy(r => r.Method), functions.OrderBy(r => r.Route).ThenBy(r => r.Method));
    }

    [Fact]
    public void Function_names_are_their_method_names_and_anonymous_auth_is_deliberate()
    {
        foreach (var (_, _, function) in HttpFunctions())
        {
            Assert.Equal(function.Name, function.GetCustomAttribute<FunctionAttribute>()!.Name);
            var trigger = function.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).OfType<HttpTriggerAttribute>().Single();
            Assert.Equal(AuthorizationLevel.Anonymous, trigger.AuthLevel); // API keys are checked by the handlers, not the host.
        }
    }

    [Fact]
    public void The_events_trigger_settles_explicitly_on_an_identity_based_connection()
    {
        var trigger = typeof(DeliveryEventsFunction).GetMethod(nameof(DeliveryEventsFunction.OnDeliveryEvent))!
            .GetParameters().Select(p => p.GetCustomAttribute<ServiceBusTriggerAttribute>()).OfType<ServiceBusTriggerAttribute>().Single();

        Assert.Equal("%EventsQueueName%", trigger.QueueName);
        Assert.Equal("ServiceBus", trigger.Connection);
        Assert.False(trigger.AutoCompleteMessages);
    }
}

public sealed class DeliveryEventsFunctionTests : IAsyncLifetime
{
    private StorageClients _clients = null!;
    private DeliveryEventsFunction _function = null!;

    public async Task InitializeAsync()
    {
        _clients = (await Azurite.Shared).Clients();
        await new StorageInitializer(_clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        var messages = new MessageStore(_clients, TimeProvider.System, Options.Create(new MessageStoreOptions()), new AllowanceLeases(_clients, TimeProvider.System, Options.Create(new MessageStoreOptions())));
        var waiters = new SessionWaiters(_clients);
        var dispatcher = new WorkflowDispatcher(messages, new CampaignStore(_clients, TimeProvider.System), waiters, Options.Create(new WorkflowOptions()), NullLogger<WorkflowDispatcher>.Instance);
        await new WorkflowStorageInitializer(_clients).StartAsync(default);
        _function = new DeliveryEventsFunction(new EventsRouter(dispatcher, [], NullLogger<EventsRouter>.Instance));
        Messages = messages;
        Waiters = waiters;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private MessageStore Messages { get; set; } = null!;

    private SessionWaiters Waiters { get; set; } = null!;

    private sealed class RecordingActions : ServiceBusMessageActions
    {
        public List<string> Settlements { get; } = [];

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Settlements.Add("complete");
            return Task.CompletedTask;
        }

        public override Task DeadLetterMessageAsync(ServiceBusReceivedMessage message, Dictionary<string, object>? propertiesToModify = default, string? deadLetterReason = default, string? deadLetterErrorDescription = default, CancellationToken cancellationToken = default)
        {
            Settlements.Add("deadletter:" + deadLetterReason);
            return Task.CompletedTask;
        }
    }

    /// <summary>Durable Functions' client, recording what is started; nothing is running.</summary>
    private sealed class RecordingDurableClient() : DurableTaskClient("test")
    {
        public List<(string Name, string? InstanceId)> Started { get; } = [];

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
        {
            Started.Add((orchestratorName.Name, options?.InstanceId));
            return Task.FromResult(options?.InstanceId ?? "generated");
        }

        public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
            Task.FromResult<OrchestrationMetadata?>(null);

        public List<(string InstanceId, string EventName)> Raised { get; } = [];

        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
        {
            Raised.Add((instanceId, eventName));
            return Task.CompletedTask;
        }

        public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

        public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static ServiceBusReceivedMessage Message(string body) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString(body), messageId: "e");

    [Fact]
    public async Task A_status_change_is_completed_and_starts_nothing()
    {
        var body = JsonSerializer.Serialize(new DeliveryEvent { EventId = "e", MessageId = "m", AccountId = "a", SessionKey = "s", Status = MessageStatus.Sent, At = DateTimeOffset.UtcNow }, WireJson.Options);
        var actions = new RecordingActions();
        var durable = new RecordingDurableClient();

        await _function.OnDeliveryEvent(Message(body), actions, durable, default);

        Assert.Equal(["complete"], actions.Settlements);
        Assert.Empty(durable.Started);
    }

    [Fact]
    public async Task A_transient_failure_starts_the_messages_RetrySend_then_completes()
    {
        var clock = TimeProvider.System;
        var account = new Account("acc_fn", "t", AccountStatus.Active, "starter", 100, "default", clock.GetUtcNow(), null);
        var caller = new Caller(new ApiKeyRecord("key_fn", account.Id, "t", "SM-xxxxxxxx", clock.GetUtcNow(), null, null), account);
        var request = new SendRequest("+14155550500", new TextContent("retry me"), Priority.Normal, null);
        var command = new SendCommand { MessageId = MessageIds.New(clock), AccountId = account.Id, SessionKey = "acc_fn~default", Recipient = request.Recipient, Content = request.Content, Priority = 5, AcceptedAt = clock.GetUtcNow() };
        await Messages.AcceptAsync(caller, SendLimits.Unlimited, request, command, (_, _) => new StoredResponse(202, "{}"), default);
        var body = JsonSerializer.Serialize(new DeliveryEvent { EventId = "t", MessageId = command.MessageId, AccountId = account.Id, SessionKey = command.SessionKey, Status = MessageStatus.Sending, Failure = FailureKind.Transient, Reason = "timed out", Attempt = 1, At = clock.GetUtcNow() }, WireJson.Options);
        var actions = new RecordingActions();
        var durable = new RecordingDurableClient();

        await _function.OnDeliveryEvent(Message(body), actions, durable, default);

        Assert.Equal([(nameof(RetrySendOrchestrator), RetrySendOrchestrator.InstanceIdFor(command.MessageId))], durable.Started);
        Assert.Equal(["complete"], actions.Settlements);
    }

    [Fact]
    public async Task An_unreadable_event_is_dead_lettered_with_a_reason()
    {
        var actions = new RecordingActions();

        await _function.OnDeliveryEvent(Message("not json"), actions, new RecordingDurableClient(), default);

        var settlement = Assert.Single(actions.Settlements);
        Assert.StartsWith("deadletter:unreadable: ", settlement, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_connected_in_the_connector_wakes_the_retries_waiting_for_it_here()
    {
        var instance = RetrySendOrchestrator.InstanceIdFor("msg_waiting_fn");
        await Waiters.AddAsync("acc_fn2", "acc_fn2~default", instance, default);
        var body = JsonSerializer.Serialize(new SessionStateChanged { EventId = "s", AccountId = "acc_fn2", SessionId = "default", State = SessionState.Connected, At = DateTimeOffset.UtcNow }, WireJson.Options);
        var actions = new RecordingActions();
        var durable = new RecordingDurableClient();

        await _function.OnDeliveryEvent(Message(body), actions, durable, default);

        Assert.Equal([(instance, WorkflowEvents.SessionConnected)], durable.Raised);
        Assert.Empty(await Waiters.ListAsync("acc_fn2", "acc_fn2~default", default));
        Assert.Equal(["complete"], actions.Settlements);
    }
}

public class OpenApiDocumentTests
{
    [Fact]
    public void The_document_describes_every_route_with_its_method_and_every_error_code()
    {
        using var document = JsonDocument.Parse(WaServerless.Api.OpenApi.OpenApiHandler.Json);
        var paths = document.RootElement.GetProperty("paths");

        foreach (var (method, route) in ApiEndpoints.Routes)
        {
            Assert.True(paths.TryGetProperty("/" + route, out var path), $"{route} is missing from openapi.json");
            Assert.True(path.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {route} is missing from openapi.json");
        }

        Assert.Equal(ApiEndpoints.Routes.Count, paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count()));
        var documented = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("Error").GetProperty("properties").GetProperty("error_code").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()).ToHashSet();
        var declared = typeof(WaServerless.Core.Errors.ErrorCodes).GetFields().Select(f => (string)f.GetValue(null)!);
        Assert.All(declared, code => Assert.Contains(code, documented));
    }
}
