using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.CloudApi;

/// <summary>
/// Meta's webhook for the "messages" field: checks that a body really came from Meta, answers
/// the subscription handshake, and turns the payload into engine events. A host receives the
/// HTTP request and posts the events to the <see cref="IEngineEventSink"/>.
/// </summary>
/// <remarks>
/// Mapping: statuses delivered, read and failed become <see cref="ReceiptEvent"/>s (failed with
/// "code: title" of its first error as Reason); "sent" is dropped, because the engine reports
/// sent itself when the API accepts the message, and any other status is dropped as unknown.
/// Inbound messages become <see cref="InboundMessage"/>s. The session id of every event
/// is metadata.phone_number_id. Other webhook fields (template status, account updates) yield nothing.
/// </remarks>
public sealed class CloudApiWebhook(IOptions<CloudApiOptions> options, TimeProvider time)
{
    private const string SignaturePrefix = "sha256=";

    /// <summary>
    /// True when <paramref name="signatureHeader"/> (X-Hub-Signature-256) is "sha256=" and the hex
    /// HMAC-SHA256 of exactly these body bytes under the app secret. Compared in constant time.
    /// </summary>
    public bool IsSignatureValid(ReadOnlySpan<byte> body, string? signatureHeader)
    {
        var secret = options.Value.AppSecret;
        if (string.IsNullOrEmpty(secret)
            || signatureHeader is null
            || !signatureHeader.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = signatureHeader.AsSpan(SignaturePrefix.Length).Trim();
        if (hex.Length != SHA256.HashSizeInBytes * 2)
        {
            return false;
        }

        Span<byte> claimed = stackalloc byte[SHA256.HashSizeInBytes];
        if (Convert.FromHexString(hex, claimed, out _, out var written) != System.Buffers.OperationStatus.Done
            || written != claimed.Length)
        {
            return false;
        }

        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, actual);
        return CryptographicOperations.FixedTimeEquals(actual, claimed);
    }

    /// <summary>
    /// The GET handshake Meta makes when the webhook URL is set: returns hub.challenge to echo back
    /// when hub.mode is "subscribe" and hub.verify_token matches WebhookVerifyToken, otherwise null (answer 403).
    /// </summary>
    public string? VerifySubscription(string? mode, string? verifyToken, string? challenge)
    {
        var expected = options.Value.WebhookVerifyToken;
        if (string.IsNullOrEmpty(expected) || mode != "subscribe" || verifyToken is null || string.IsNullOrEmpty(challenge))
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(verifyToken), Encoding.UTF8.GetBytes(expected))
            ? challenge
            : null;
    }

    /// <summary>Parses a webhook body; see the class remarks for the mapping.</summary>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    public IReadOnlyList<EngineEvent> Parse(ReadOnlyMemory<byte> body) => Parse(body, time.GetUtcNow());

    /// <inheritdoc cref="Parse(ReadOnlyMemory{byte})"/>
    /// <param name="body">The raw body.</param>
    /// <param name="receivedAt">Stands in for an event's time when Meta's timestamp is missing.</param>
    public static IReadOnlyList<EngineEvent> Parse(ReadOnlyMemory<byte> body, DateTimeOffset receivedAt)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var events = new List<EngineEvent>();
        if (Json.String(root, "object") != "whatsapp_business_account")
        {
            return events;
        }

        foreach (var entry in Json.Array(root, "entry"))
        {
            foreach (var change in Json.Array(entry, "changes"))
            {
                if (Json.String(change, "field") is { } field && field != "messages")
                {
                    continue;
                }

                if (Json.Object(change, "value") is not { } value
                    || Json.Object(value, "metadata") is not { } metadata
                    || Json.String(metadata, "phone_number_id") is not { Length: > 0 } sessionId)
                {
                    continue;
                }

                foreach (var status in Json.Array(value, "statuses"))
                {
                    if (ReadStatus(sessionId, status, receivedAt) is { } receipt)
                    {
                        events.Add(receipt);
                    }
                }

                var profiles = Json.Array(value, "contacts")
                    .Select(c => (WaId: Json.String(c, "wa_id"), Name: Json.Object(c, "profile") is { } p ? Json.String(p, "name") : null))
                    .Where(c => c.WaId is not null)
                    .GroupBy(c => c.WaId!)
                    .ToDictionary(g => g.Key, g => g.First().Name);

                foreach (var message in Json.Array(value, "messages"))
                {
                    if (ReadMessage(sessionId, message, profiles, receivedAt) is { } inbound)
                    {
                        events.Add(inbound);
                    }
                }
            }
        }

        return events;
    }

    private static ReceiptEvent? ReadStatus(string sessionId, JsonElement status, DateTimeOffset receivedAt)
    {
        if (Json.String(status, "id") is not { Length: > 0 } id)
        {
            return null;
        }

        var at = Timestamp(status, receivedAt);
        return Json.String(status, "status") switch
        {
            "delivered" => new ReceiptEvent(sessionId, at, id, ReceiptKind.Delivered),
            "read" => new ReceiptEvent(sessionId, at, id, ReceiptKind.Read),
            "failed" => new ReceiptEvent(sessionId, at, id, ReceiptKind.Failed, FailureReason(status)),
            _ => null,
        };
    }

    private static string FailureReason(JsonElement status)
    {
        var error = Json.Array(status, "errors").Select(CloudApiError.FromElement).FirstOrDefault(e => e is not null);
        return error is null ? "failed" : CloudApiErrorClassifier.Shorten(error.Describe());
    }

    private static InboundMessage? ReadMessage(
        string sessionId, JsonElement message, Dictionary<string, string?> profiles, DateTimeOffset receivedAt)
    {
        if (Json.String(message, "id") is not { Length: > 0 } id
            || Json.String(message, "from") is not { Length: > 0 } from)
        {
            return null;
        }

        var type = Json.String(message, "type") ?? "unknown";
        var context = Json.Object(message, "context") is { } c ? Json.String(c, "id") : null;
        var inbound = new InboundMessage(
            sessionId,
            Timestamp(message, receivedAt),
            id,
            from.StartsWith('+') ? from : "+" + from,
            type,
            ProfileName: profiles.GetValueOrDefault(from),
            InReplyTo: context);

        var part = Json.Object(message, type);
        return (type, part) switch
        {
            ("text", { } text) => inbound with { Text = Json.String(text, "body") },
            ("interactive", { } interactive) => Interactive(inbound, interactive),
            ("button", { } button) => inbound with { Text = Json.String(button, "text"), ReplyId = Json.String(button, "payload") },
            ("image" or "video" or "audio" or "document" or "sticker", { } media) =>
                inbound with { MediaId = Json.String(media, "id"), Text = Json.String(media, "caption") },
            ("location", { } location) => inbound with { Text = Json.String(location, "name") ?? Coordinates(location) },
            ("reaction", { } reaction) => inbound with { Text = Json.String(reaction, "emoji"), InReplyTo = Json.String(reaction, "message_id") ?? context },
            _ => inbound,
        };
    }

    private static InboundMessage Interactive(InboundMessage inbound, JsonElement interactive)
    {
        var kind = Json.String(interactive, "type") ?? "interactive";
        var reply = Json.Object(interactive, kind);
        return inbound with
        {
            MessageType = kind,
            ReplyId = reply is { } r ? Json.String(r, "id") : null,
            Text = reply is { } t ? Json.String(t, "title") : null,
        };
    }

    private static string? Coordinates(JsonElement location) =>
        location.TryGetProperty("latitude", out var lat) && lat.TryGetDouble(out var latitude)
        && location.TryGetProperty("longitude", out var lon) && lon.TryGetDouble(out var longitude)
            ? string.Create(CultureInfo.InvariantCulture, $"{latitude},{longitude}")
            : null;

    /// <summary>Meta sends Unix seconds as a string.</summary>
    private static DateTimeOffset Timestamp(JsonElement element, DateTimeOffset fallback)
    {
        if (!element.TryGetProperty("timestamp", out var value))
        {
            return fallback;
        }

        var seconds = 0L;
        var parsed = value.ValueKind == JsonValueKind.String
            ? long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out seconds)
            : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out seconds);
        return parsed && seconds > 0 && seconds < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : fallback;
    }
}
