using System.Text.Json;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.Waha;

/// <summary>A webhook from WAHA, read: which session, which event, and what it means for us.</summary>
/// <param name="SessionKey">Our session key, from the config metadata, when it matches the session name.</param>
/// <param name="Status">For session.status: WAHA's new status; <paramref name="MeId"/> the linked account once WORKING.</param>
public sealed record WahaWebhookEvent(
    string Event,
    string Session,
    string? SessionKey,
    string? Status = null,
    string? MeId = null,
    WahaInbound? Inbound = null,
    WahaAck? Ack = null);

/// <summary>An inbound message, its id already bare.</summary>
public sealed record WahaInbound(DateTimeOffset At, string Id, string From, string Type, string? Text, string? MediaId, string? ProfileName, string? InReplyTo);

/// <summary>A receipt for one of our messages: WAHA's ack level (ERROR -1, PENDING 0, SERVER 1, DEVICE 2, READ 3, PLAYED 4).</summary>
public sealed record WahaAck(DateTimeOffset At, string Id, int Level, string? Name)
{
    /// <summary>What the ack means for our status; null for levels that move nothing (pending, and server: we already said sent).</summary>
    public ReceiptKind? Receipt => Level switch
    {
        -1 => ReceiptKind.Failed,
        2 => ReceiptKind.Delivered,
        >= 3 => ReceiptKind.Read,
        _ => null,
    };
}

/// <summary>
/// Reads WAHA's webhook envelope {id, timestamp, event, session, metadata, me, payload, engine}.
/// Subscribed events: session.status, message (never also message.any, which repeats every message,
/// ours included) and message.ack (message.ack.group for groups). Messages we sent ourselves, which
/// WhatsApp echoes from the phone, are not inbound.
/// </summary>
public static class WahaWebhook
{
    public const string MetadataSessionKey = "waserverless.session";

    public static IReadOnlyList<string> Events { get; } = ["session.status", "message", "message.ack", "message.ack.group"];

    /// <exception cref="JsonException">The body is not a WAHA envelope.</exception>
    public static WahaWebhookEvent Parse(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || String(root, "event") is not { } name || String(root, "session") is not { } session)
        {
            throw new JsonException("not a WAHA webhook: event and session are required");
        }

        var key = root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? String(metadata, MetadataSessionKey) : null;
        if (key is not null && WahaSessionNames.Of(key) != session)
        {
            key = null; // metadata that does not hash to the session's name is not ours
        }

        var payload = root.TryGetProperty("payload", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var at = TimestampOf(root, now);
        return name switch
        {
            "session.status" => new WahaWebhookEvent(name, session, key, Status: payload.ValueKind == JsonValueKind.Object ? String(payload, "status") : null, MeId: MeOf(root)),
            "message" => new WahaWebhookEvent(name, session, key, Inbound: InboundOf(payload, at)),
            "message.ack" or "message.ack.group" => new WahaWebhookEvent(name, session, key, Ack: AckOf(payload, at)),
            _ => new WahaWebhookEvent(name, session, key),
        };
    }

    private static WahaInbound? InboundOf(JsonElement payload, DateTimeOffset at)
    {
        if (payload.ValueKind != JsonValueKind.Object || String(payload, "id") is not { } id || Bool(payload, "fromMe"))
        {
            return null;
        }

        var from = String(payload, "from") ?? "";
        if (from.EndsWith("@g.us", StringComparison.Ordinal) && String(payload, "participant") is { } participant)
        {
            from = participant; // in a group, the sender is the participant
        }

        if (from.Length == 0 || from.EndsWith("@broadcast", StringComparison.Ordinal) || from.EndsWith("@newsletter", StringComparison.Ordinal))
        {
            return null; // status updates and channels are not messages to the session
        }

        var body = String(payload, "body");
        var type = "text";
        string? mediaId = null;
        if (payload.TryGetProperty("location", out var location) && location.ValueKind == JsonValueKind.Object)
        {
            type = "location";
            body ??= String(location, "name") ?? String(location, "description") ?? String(location, "address");
        }
        else if (payload.TryGetProperty("vCards", out var cards) && cards.ValueKind == JsonValueKind.Array && cards.GetArrayLength() > 0)
        {
            type = "contact";
        }
        else if (Bool(payload, "hasMedia"))
        {
            var media = payload.TryGetProperty("media", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            var mimetype = media.ValueKind == JsonValueKind.Object ? String(media, "mimetype") : null;
            type = mimetype switch
            {
                "image/webp" => "sticker",
                { } t when t.StartsWith("image/", StringComparison.Ordinal) => "image",
                { } t when t.StartsWith("video/", StringComparison.Ordinal) => "video",
                { } t when t.StartsWith("audio/", StringComparison.Ordinal) => "audio",
                _ => "document",
            };
            // WAHA's file URL points into the sidecar, useless and internal to a client: the message key names the media instead.
            mediaId = WahaIds.Bare(id);
        }

        var timestamp = payload.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var seconds) && seconds > 0
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : at;
        var replyTo = payload.TryGetProperty("replyTo", out var reply) && reply.ValueKind == JsonValueKind.Object && String(reply, "id") is { } replyId ? WahaIds.Bare(replyId) : null;
        var data = payload.TryGetProperty("_data", out var d) && d.ValueKind == JsonValueKind.Object ? d : default;
        var info = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("Info", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
        var profile = data.ValueKind != JsonValueKind.Object ? null
            : String(data, "notifyName") ?? String(data, "pushName") ?? (info.ValueKind == JsonValueKind.Object ? NonEmpty(String(info, "PushName")) : null);
        // A sender addressed by @lid has no phone in its chat id; whatsmeow gives the phone's jid as SenderAlt.
        var phone = WahaIds.PhoneOf(from) ?? (info.ValueKind == JsonValueKind.Object ? WahaIds.PhoneOf(String(info, "SenderAlt")) : null);
        return new WahaInbound(timestamp, WahaIds.Bare(id), phone ?? from, type, body, mediaId, profile, replyTo);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static WahaAck? AckOf(JsonElement payload, DateTimeOffset at)
    {
        if (payload.ValueKind != JsonValueKind.Object || String(payload, "id") is not { } id
            || !payload.TryGetProperty("ack", out var ack) || !ack.TryGetInt32(out var level))
        {
            return null;
        }

        // Receipts for messages others sent us (our own read receipts) are not about our sends.
        if (payload.TryGetProperty("fromMe", out var fromMe) && fromMe.ValueKind == JsonValueKind.False)
        {
            return null;
        }

        return new WahaAck(at, WahaIds.Bare(id), level, String(payload, "ackName"));
    }

    private static string? MeOf(JsonElement root) =>
        root.TryGetProperty("me", out var me) && me.ValueKind == JsonValueKind.Object ? String(me, "id") : null;

    // The envelope's timestamp is in milliseconds.
    private static DateTimeOffset TimestampOf(JsonElement root, DateTimeOffset now) =>
        root.TryGetProperty("timestamp", out var t) && t.TryGetInt64(out var ms) && ms > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : now;

    private static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Bool(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.True;
}
