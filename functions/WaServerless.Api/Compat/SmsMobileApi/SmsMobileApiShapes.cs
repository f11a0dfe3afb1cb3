using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Compat.SmsMobileApi;

/// <summary>
/// SMSMobileAPI's answers: flat JSON objects whose "error" is "0" on success, as its
/// synchronisation reply shows. Its documentation gives no error or send reply, so those keep the
/// same style: "error" "1" with a "message", and this API's error_code beside it.
/// </summary>
public static class SmsMobileApiShapes
{
    public static JsonApiResult Error(ApiError error, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new JsonApiResult(error.Status, new SmsMobileApiError("1", error.Message, error.Code, error.Hint), headers);
    }

    public static JsonApiResult Ok(object body) => new(StatusCodes.Status200OK, body);

    /// <summary>"2025-03-11 12:27:00" and its Unix seconds as text, as SMSMobileAPI writes times.</summary>
    public static (string Text, string Unix) Time(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return (utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), utc.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
    }
}

public sealed record SmsMobileApiError(string Error, string Message, string ErrorCode, string? Hint);

/// <param name="Sent">"yes" when every recipient's message was accepted.</param>
/// <param name="MessageGuid">"guid": the first (often the only) message's id, the guid resendwa takes and GET /api/messages/{id} reads.</param>
public sealed record SmsMobileApiSendReply(string Error, string Sent, [property: JsonPropertyName("guid")] string? MessageGuid, IReadOnlyList<SmsMobileApiRecipientReply> Recipients);

public sealed record SmsMobileApiRecipientReply(string Recipient, string Error, [property: JsonPropertyName("guid")] string? MessageGuid, string? Message, string? ErrorCode);

public sealed record SmsMobileApiSynchronisation(string Error, string Messages, string ExpireAt, string ExpireAtUnix);

public sealed record SmsMobileApiInbound(string Date, string Hour, string Timestamp, string Number, string Contact, string Message, [property: JsonPropertyName("guid")] string MessageGuid, string Type);
