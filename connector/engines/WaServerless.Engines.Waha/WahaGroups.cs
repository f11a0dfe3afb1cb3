using System.Text.Json;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.Waha;

/// <summary>One item of WAHA's group list, whichever engine's shape it has, as a <see cref="GroupInfo"/>; null when it has no group id.</summary>
internal static class WahaGroups
{
    public static GroupInfo? Read(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var id = Id(item, "id") ?? Id(item, "JID") ?? Id(item, "jid");
        if (id is null || !id.EndsWith("@g.us", StringComparison.Ordinal))
        {
            return null;
        }

        var name = Text(item, "name") ?? Text(item, "subject") ?? Text(item, "Name")
            ?? (item.TryGetProperty("groupMetadata", out var meta) && meta.ValueKind == JsonValueKind.Object ? Text(meta, "subject") : null)
            ?? string.Empty;
        return new GroupInfo(id, name, Participants(item));
    }

    private static int Participants(JsonElement item)
    {
        foreach (var name in new[] { "participants", "Participants" })
        {
            if (item.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                return list.GetArrayLength();
            }
        }

        if (item.TryGetProperty("groupMetadata", out var meta) && meta.ValueKind == JsonValueKind.Object
            && meta.TryGetProperty("participants", out var inner) && inner.ValueKind == JsonValueKind.Array)
        {
            return inner.GetArrayLength();
        }

        return item.TryGetProperty("size", out var size) && size.TryGetInt32(out var count) ? count : 0;
    }

    // An id is a string, or WEBJS's {server, user, _serialized}.
    private static string? Id(JsonElement item, string name) =>
        !item.TryGetProperty(name, out var value) ? null
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : value.ValueKind == JsonValueKind.Object ? Text(value, "_serialized")
        : null;

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
