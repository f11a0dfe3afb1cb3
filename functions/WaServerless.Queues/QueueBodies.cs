using System.Text;
using System.Text.Json;
using WaServerless.Core.Contracts;

namespace WaServerless.Queues;

/// <summary>What a consumer made of a queued body: the record it carries, or why it is poison (the dead-letter reason).</summary>
public readonly record struct QueueRead<T>(T? Value, string? PoisonReason)
    where T : class;

/// <summary>
/// The checks every queued body passes before it is read: a size no body of ours reaches, JSON
/// that parses to an object, and a wire version this consumer knows ("v"; a body without one is
/// version 1, as every body was before the field existed). A body that fails one is poison: the
/// consumer dead-letters it with the reason and goes on, instead of failing it round and round.
/// </summary>
public static class QueueBodies
{
    /// <summary>
    /// The largest body a consumer reads. A command of ours is a few KiB (a 4,096-character text is at
    /// most 24 KiB once escaped into the envelope). Storage Queues cap a message at 64 KiB and the
    /// base64 the port writes costs a third of that, so the envelope must stay under 48 KiB.
    /// </summary>
    public const int MaxBytes = 32 * 1024;

    /// <summary>The wire version these consumers read and producers write.</summary>
    public const int Version = 1;

    private const int MaxDepth = 32;

    /// <summary>The parsed body, or null with the reason it is poison. The caller disposes the document.</summary>
    public static JsonDocument? Open(string body, out string? poisonReason)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bytes = Encoding.UTF8.GetByteCount(body);
        if (bytes > MaxBytes)
        {
            poisonReason = $"oversize: {bytes} bytes, more than the {MaxBytes} a queued body may have";
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException e)
        {
            poisonReason = "unreadable: " + Shorten(e.Message);
            return null;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            poisonReason = "unreadable: the body is not a JSON object";
            return null;
        }

        if (document.RootElement.TryGetProperty("v", out var version)
            && !(version.ValueKind == JsonValueKind.Number && version.TryGetInt32(out var number) && number == Version))
        {
            poisonReason = $"unknown version {Shorten(version.GetRawText())}: this consumer reads version {Version}";
            document.Dispose();
            return null;
        }

        poisonReason = null;
        return document;
    }

    /// <summary>Deserializes an opened body into <typeparamref name="T"/>, or says why it cannot be one.</summary>
    public static QueueRead<T> Deserialize<T>(JsonElement root, string what)
        where T : class
    {
        try
        {
            return root.Deserialize<T>(WireJson.Options) is { } value ? new(value, null) : new QueueRead<T>(null, $"unreadable: not a {what}");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or FormatException or InvalidOperationException)
        {
            return new QueueRead<T>(null, $"unreadable: not a {what} ({Shorten(e.Message)})");
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
