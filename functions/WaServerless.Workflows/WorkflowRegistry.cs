using Microsoft.DurableTask;

namespace WaServerless.Workflows;

/// <summary>An orchestrator or activity class, under the name orchestrations call it by (its class name).</summary>
public sealed record WorkflowRegistration(string Name, Type Type, bool IsOrchestrator);

/// <summary>Name to class, for the in-process runner (Durable Functions finds them by their [Function] names).</summary>
public sealed class WorkflowRegistry
{
    private readonly Dictionary<string, Type> _orchestrators = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Type> _activities = new(StringComparer.OrdinalIgnoreCase);

    public WorkflowRegistry(IEnumerable<WorkflowRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var r in registrations)
        {
            var map = r.IsOrchestrator ? _orchestrators : _activities;
            if (map.TryGetValue(r.Name, out var existing) && existing != r.Type)
            {
                throw new InvalidOperationException($"Two {(r.IsOrchestrator ? "orchestrators" : "activities")} are named {r.Name}: {existing} and {r.Type}.");
            }

            map[r.Name] = r.Type;
        }
    }

    public Type? FindOrchestrator(TaskName name) => name.Name is { } n && _orchestrators.TryGetValue(n, out var type) ? type : null;

    public Type? FindActivity(TaskName name) => name.Name is { } n && _activities.TryGetValue(n, out var type) ? type : null;
}
