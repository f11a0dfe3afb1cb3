using System.Reflection;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging.Abstractions;
using WaServerless.Api;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Functions.Http;
using WaServerless.Functions.Triggers;

namespace WaServerless.Functions.Tests;

public class FunctionRoutesTests
{
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

        Assert.Equal(ApiEndpoints.Routes.OrderBy(r => r.Route).ThenBy(r => r.Method), functions.OrderBy(r => r.Route).ThenBy(r => r.Method));
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

public class DeliveryEventsFunctionTests
{
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

    [Fact]
    public async Task A_readable_event_is_completed()
    {
        var body = JsonSerializer.Serialize(new DeliveryEvent { EventId = "e", MessageId = "m", AccountId = "a", SessionId = "s", Status = MessageStatus.Sent, At = DateTimeOffset.UtcNow }, WireJson.Options);
        var actions = new RecordingActions();

        await new DeliveryEventsFunction(NullLogger<DeliveryEventsFunction>.Instance).OnDeliveryEvent(ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString(body), messageId: "e"), actions, default);

        Assert.Equal(["complete"], actions.Settlements);
    }

    [Fact]
    public async Task An_unreadable_event_is_dead_lettered_with_a_reason()
    {
        var actions = new RecordingActions();

        await new DeliveryEventsFunction(NullLogger<DeliveryEventsFunction>.Instance).OnDeliveryEvent(ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString("not json"), messageId: "x"), actions, default);

        Assert.Equal(["deadletter:not a DeliveryEvent"], actions.Settlements);
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
