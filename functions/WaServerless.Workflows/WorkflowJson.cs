using System.Text.Json;
using WaServerless.Core.Contracts;

namespace WaServerless.Workflows;

/// <summary>
/// How the in-process runner passes inputs, outputs and event payloads: through JSON, as Durable
/// Functions does, so a payload that would not survive the real engine does not survive here either.
/// </summary>
public static class WorkflowJson
{
    public static string Serialize(object? value) =>
        value is null ? "null" : JsonSerializer.Serialize(value, value.GetType(), WireJson.Options);

    public static object? Deserialize(string? json, Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, type, WireJson.Options);
    }

    public static T? Deserialize<T>(string? json) => (T?)Deserialize(json, typeof(T));
}
