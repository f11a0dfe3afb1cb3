using System.Globalization;
using System.Net;
using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Text;

namespace WaServerless.Engines.Waha;

/// <summary>
/// What a WAHA error means for the message. WAHA answers 422 for a session that is not WORKING (it
/// waits a few seconds first), 404 for a session it does not have (ours recreates it on reconnect),
/// 429 and 5xx for trouble of its own: all worth another try within the retry policy. A 400 is a
/// request WAHA will never take (a malformed chat id, a file it cannot read), and a 413 media it will
/// not carry: trying again cannot help.
/// </summary>
public static class WahaErrors
{
    public static FailureKind Classify(HttpStatusCode status) => (int)status switch
    {
        400 or 413 or 415 => FailureKind.Permanent,
        _ => FailureKind.Transient,
    };

    /// <summary>"WAHA POST api/sendText: HTTP 422: Session status is not as expected" (WAHA's message, clipped).</summary>
    public static string Describe(HttpMethod method, string path, HttpStatusCode status, string? body)
    {
        ArgumentNullException.ThrowIfNull(method);
        var query = path.IndexOf('?', StringComparison.Ordinal);
        var route = query < 0 ? path : path[..query];
        var message = MessageOf(body);
        var text = string.Create(CultureInfo.InvariantCulture, $"WAHA {method} {route}: HTTP {(int)status}{(message is null ? "" : ": " + message)}");
        return Clip.ToLength(text, 300);
    }

    // WAHA's errors are NestJS-shaped: {"statusCode": 422, "message": "...", "error": "..."}; message may be a list.
    private static string? MessageOf(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            if (root.TryGetProperty("message", out var message))
            {
                return message.ValueKind switch
                {
                    JsonValueKind.String => message.GetString(),
                    JsonValueKind.Array => string.Join("; ", message.EnumerateArray().Select(m => m.ToString())),
                    _ => message.ToString(),
                };
            }

            return root.TryGetProperty("error", out var error) ? error.ToString() : null;
        }
        catch (JsonException)
        {
            return Clip.Preview(body);
        }
    }
}

/// <summary>Reads the message id out of a WAHA send response, whatever the engine's shape.</summary>
public static class WahaSendResponse
{
    /// <summary>
    /// The bare message key: WAHA answers with its WAMessage ({"id": "true_…@c.us_KEY"}), or with the
    /// engine's own object ({"id": {"_serialized": …}}, a Baileys {"key": {"id"}}, whatsmeow's
    /// {"ID"} or {"Info": {"ID"}}); null when none of them is there.
    /// </summary>
    public static string? MessageIdOf(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var id = Find(document.RootElement);
            return string.IsNullOrEmpty(id) ? null : WahaIds.Bare(id);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Find(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (root.TryGetProperty("id", out var id))
        {
            if (id.ValueKind == JsonValueKind.String)
            {
                return id.GetString();
            }

            if (id.ValueKind == JsonValueKind.Object)
            {
                return String(id, "_serialized") ?? String(id, "id");
            }
        }

        if (root.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.Object && String(key, "id") is { } keyId)
        {
            return keyId;
        }

        if (String(root, "ID") is { } upper)
        {
            return upper;
        }

        return root.TryGetProperty("Info", out var info) && info.ValueKind == JsonValueKind.Object ? String(info, "ID") : null;
    }

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
