using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Compat.V1;

/// <summary>
/// The generic API's answers: camelCase resources, and errors as {statusCode, error, message} with
/// this API's error_code beside. It documents 409 for a session that is not connected: the native
/// 503 for that (WHATSAPP_DISCONNECTED, NOT_ACTIVATED) becomes its 409 "Session not connected".
/// </summary>
public static class V1Shapes
{
    public static JsonApiResult Error(int status, string code, string message, IReadOnlyDictionary<string, string>? headers = null)
    {
        if (code is ErrorCodes.WhatsAppDisconnected or ErrorCodes.NotActivated)
        {
            (status, message) = (409, "Session not connected. " + message);
        }

        return new JsonApiResult(status, new V1Error(status, ReasonPhrases.GetReasonPhrase(status), message, code), headers);
    }
}

// Its resources are camelCase (toPhone), unlike the native snake_case; session_key is its one snake_case name.
public sealed record V1Error([property: JsonPropertyName("statusCode")] int StatusCode, string Error, string Message, string ErrorCode);

public sealed record V1Message(
    string Id,
    [property: JsonPropertyName("toPhone")] string ToPhone,
    string Type,
    string Status,
    [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("updatedAt")] DateTimeOffset? UpdatedAt);

public sealed record V1Session(string Id, string SessionKey, string Status, string? Phone, string? Engine, [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt);

public sealed record V1Key(
    string Id,
    string Name,
    string? Key,
    string? Prefix,
    string? Status,
    [property: JsonPropertyName("createdAt")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("revokedAt")] DateTimeOffset? RevokedAt);

/// <summary>Native resources (their JSON) as the generic API's.</summary>
public static class V1Views
{
    public static V1Message Message(JsonElement m) => new(
        Text(m, "queue_id")!,
        Text(m, "recipient")!,
        Text(m, "message_type")!,
        Text(m, "status") is "queued" or "scheduled" or null ? "pending" : Text(m, "status")!,
        Time(m, "created_at"),
        Time(m, "updated_at"));

    public static V1Session Session(JsonElement s) => new(Text(s, "id")!, Text(s, "name")!, Text(s, "state")!, Text(s, "phone"), Text(s, "engine"), Time(s, "created_at"));

    public static V1Key Key(JsonElement k, string? secret) => new(Text(k, "key_id")!, Text(k, "name") ?? string.Empty, secret, Text(k, "prefix"), Text(k, "status"), Time(k, "created_at"), Time(k, "revoked_at"));

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static DateTimeOffset? Time(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.TryGetDateTimeOffset(out var t) ? t : null;
}

/// <summary>Its documented formats and sizes.</summary>
public static class V1MediaRules
{
    public static readonly CompatMediaRule Image = new("image", new HashSet<string> { "jpg", "jpeg", "png", "webp", "gif" }, "JPEG, PNG, WebP or GIF", 16L * 1024 * 1024);

    public static readonly CompatMediaRule Video = new("video", new HashSet<string> { "mp4", "3gp", "3gpp", "mov", "webm" }, "MP4, 3GPP, MOV or WebM", 64L * 1024 * 1024);

    public static readonly CompatMediaRule Audio = new("audio", new HashSet<string> { "mp3", "ogg", "oga", "aac", "wav", "opus", "m4a" }, "MP3, OGG, AAC, WAV or Opus", 16L * 1024 * 1024);
}
