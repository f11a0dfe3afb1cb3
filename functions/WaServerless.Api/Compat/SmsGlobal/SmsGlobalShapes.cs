using System.Globalization;
using System.Text.Json.Serialization;
using WaServerless.Api.Http;

namespace WaServerless.Api.Compat.SmsGlobal;

/// <summary>
/// SMSGlobal's resources, camelCase as its documentation names their fields (createdDate), and its
/// errors as {"error": {"code", "message"}} with this API's error_code beside.
/// </summary>
public static class SmsGlobalShapes
{
    public static JsonApiResult Error(int status, string code, string message, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, new SmsGlobalError(new SmsGlobalErrorDetail(status, message), code), headers);

    /// <summary>A refusal part way through a list of destinations, with the messages accepted before it.</summary>
    public static JsonApiResult Error(int status, string code, string message, IReadOnlyDictionary<string, string>? headers, IReadOnlyList<SmsGlobalOutgoing> accepted) =>
        new(status, new SmsGlobalPartialError(new SmsGlobalErrorDetail(status, message), code, accepted), headers);

    /// <summary>Its DateTime, "2026-12-06 10:30:00" in UTC.</summary>
    public static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

public sealed record SmsGlobalError(SmsGlobalErrorDetail Error, string ErrorCode);

public sealed record SmsGlobalErrorDetail(int Code, string Message);

public sealed record SmsGlobalPartialError(SmsGlobalErrorDetail Error, string ErrorCode, IReadOnlyList<SmsGlobalOutgoing> Messages);

public sealed record SmsGlobalOutgoing(long Id, string Recipient, string Status, string State, string Message, [property: JsonPropertyName("createdDate")] string CreatedDate);

public sealed record SmsGlobalIncoming(long Id, string From, string To, string Message, [property: JsonPropertyName("createdDate")] string CreatedDate);

public sealed record SmsGlobalOptIn(string Name, string Number, bool Capable, bool Blacklist);

/// <summary>Its opt-in list, under its camelCase name.</summary>
public sealed record SmsGlobalOptIns([property: JsonPropertyName("optIn")] IReadOnlyList<SmsGlobalOptIn> OptIn);

/// <param name="Secret">Only when the key is created: the only copy there will be.</param>
public sealed record SmsGlobalKey(string Key, string? Secret, string Name, [property: JsonPropertyName("createdDate")] DateTimeOffset CreatedDate);

/// <summary>Its supported content types and sizes per message type, by the file extensions they come with.</summary>
public static class SmsGlobalMediaRules
{
    public static readonly CompatMediaRule Image = new("image", new HashSet<string> { "jpg", "jpeg", "png" }, "image/jpeg or image/png", 5L * 1024 * 1024);

    public static readonly CompatMediaRule Video = new("video", new HashSet<string> { "mp4", "3gp", "3gpp" }, "video/mp4 or video/3gpp", 16L * 1024 * 1024);

    public static readonly CompatMediaRule Audio = new("audio", new HashSet<string> { "aac", "m4a", "mp4", "amr", "mp3", "mpeg", "ogg", "oga", "opus" }, "audio/aac, audio/mp4, audio/amr, audio/mpeg, audio/ogg or audio/opus", 16L * 1024 * 1024);

    public static readonly CompatMediaRule Document = new(
        "document",
        new HashSet<string> { "txt", "csv", "pdf", "doc", "tar", "rtf", "ppt", "pptx", "odt", "jpg", "jpeg", "png", "mp4", "3gp", "aac", "amr", "mp3", "ogg", "opus", "webp" },
        "text/plain, text/csv, application/pdf, application/msword, application/x-tar, application/rtf, application/vnd.ms-powerpoint, pptx, odt or the other types' media",
        100L * 1024 * 1024);
}
