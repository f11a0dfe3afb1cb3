using System.Reflection;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using WaServerless.Api;
using WaServerless.Functions.Http;
using WaServerless.Workflows;

namespace WaServerless.Functions.Tests;

/// <summary>
/// What the Worker.Sdk's build step generated for the Functions app (functions.metadata and
/// extensions.json next to its assembly), read as the Functions host reads them.
/// </summary>
public sealed class FunctionsMetadataTests
{
    private static readonly Assembly App = typeof(SendFunctions).Assembly;

    private static string OutputFile(string name)
    {
        // The app's own output folder, in the configuration these tests were built in.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "WaServerless.sln")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var path = Path.Combine(root.FullName, "functions", "WaServerless.Functions", "bin", configuration, framework, name);
        Assert.True(File.Exists(path), $"{path} was not generated: is the Sdk's build step on?");
        return path;
    }

    private static Dictionary<string, JsonElement[]> Metadata() =>
        JsonDocument.Parse(File.ReadAllText(OutputFile("functions.metadata"))).RootElement.EnumerateArray()
            .ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings").EnumerateArray().ToArray());

    private static IEnumerable<MethodInfo> Functions() =>
        App.GetTypes().SelectMany(t => t.GetMethods()).Where(m => m.GetCustomAttribute<FunctionAttribute>() is not null);

    private static string? Text(JsonElement binding, string property) =>
        binding.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [Fact]
    public void Every_function_is_listed_once_with_one_trigger()
    {
        var metadata = Metadata();

        Assert.Equal(Functions().Select(f => f.GetCustomAttribute<FunctionAttribute>()!.Name).Order(), metadata.Keys.Order());
        Assert.All(metadata, f => Assert.Single(f.Value, b => Text(b, "type")!.EndsWith("Trigger", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_http_routes_are_the_api_routes()
    {
        var routes = Metadata().Values.SelectMany(b => b)
            .Where(b => Text(b, "type") == "httpTrigger")
            .SelectMany(b => b.GetProperty("methods").EnumerateArray().Select(m => (Method: m.GetString()!.ToUpperInvariant(), Route: Text(b, "route")!)));

        Assert.Equal(FunctionRoutesTests.HostedRoutes.OrderBy(r => r.Route).ThenBy(r => r.Method), routes.OrderBy(r => r.Route).ThenBy(r => r.Method));
        Assert.All(Metadata().Values.SelectMany(b => b).Where(b => Text(b, "type") == "httpTrigger"), b => Assert.Equal("Anonymous", Text(b, "authLevel")));
    }

    [Fact]
    public void The_timers_carry_their_schedules()
    {
        var metadata = Metadata();
        foreach (var function in Functions())
        {
            var timer = function.GetParameters().Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).OfType<TimerTriggerAttribute>().SingleOrDefault();
            if (timer is not null)
            {
                var binding = Assert.Single(metadata[function.Name], b => Text(b, "type") == "timerTrigger");
                Assert.Equal(timer.Schedule, Text(binding, "schedule"));
            }
        }

        Assert.Contains(metadata.Values.SelectMany(b => b), b => Text(b, "type") == "timerTrigger");
    }

    [Fact]
    public void Every_orchestrator_and_activity_has_its_trigger_and_every_durable_client_parameter_its_binding()
    {
        var metadata = Metadata();

        Assert.All(WorkflowTasks.Orchestrators, t => Assert.Single(metadata[t.Name], b => Text(b, "type") == "orchestrationTrigger"));
        Assert.All(WorkflowTasks.Activities, t => Assert.Single(metadata[t.Name], b => Text(b, "type") == "activityTrigger"));
        foreach (var function in Functions().Where(f => f.GetParameters().Any(p => p.ParameterType == typeof(DurableTaskClient))))
        {
            Assert.Single(metadata[function.Name], b => Text(b, "type") == "durableClient");
        }
    }

    [Fact]
    public void The_events_trigger_reads_the_queue_setting_on_the_identity_connection_and_settles_itself()
    {
        var binding = Assert.Single(Metadata().Values.SelectMany(b => b), b => Text(b, "type") == "serviceBusTrigger");

        Assert.Equal("%EventsQueueName%", Text(binding, "queueName"));
        Assert.Equal("ServiceBus", Text(binding, "connection"));
        Assert.False(binding.GetProperty("autoCompleteMessages").GetBoolean());
        Assert.Equal("One", Text(binding, "cardinality"));
    }

    [Fact]
    public void The_host_extensions_include_durable_task()
    {
        var extensions = JsonDocument.Parse(File.ReadAllText(OutputFile("extensions.json"))).RootElement.GetProperty("extensions").EnumerateArray()
            .Select(e => e.GetProperty("name").GetString()).ToList();

        Assert.Contains("DurableTask", extensions);
    }
}
