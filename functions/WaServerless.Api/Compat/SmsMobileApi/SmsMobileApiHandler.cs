using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Api.Messages;
using WaServerless.Api.Sending;
using WaServerless.Core.Errors;
using WaServerless.Core.Text;
using WaServerless.Storage.Inbound;

namespace WaServerless.Api.Compat.SmsMobileApi;

/// <summary>
/// SMSMobileAPI's WhatsApp endpoints under /api/smsmobileapi, as a thin translation onto the native
/// handlers (the same accept path, limits, idempotency, queue, statuses and webhooks): sendsms,
/// resendwa, getwa/synchronisation and getwa, with its parameters taken from the query string or
/// the body alike, as its clients send them. The key may come as the apikey parameter, on this
/// surface only (query strings end up in logs), or as an OAuth2 bearer token.
/// </summary>
public sealed class SmsMobileApiHandler(RequestFieldsReader reader, SendHandler send, MessagesHandler messages, InboundMessageStore inbound, TimeProvider time)
{
    /// <summary>How far back getwa looks: SMSMobileAPI returns recent messages, not an archive.</summary>
    public const int InboundWindow = 500;

    private static readonly TimeSpan SynchronisationLifetime = TimeSpan.FromMinutes(10);

    /// <summary>GET or POST sendsms: recipients (digits with the country code, several separated by commas), message, url_media (https), waonly=yes.</summary>
    public async Task<IActionResult> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var caller = request.Caller();
        if (!string.Equals(p.GetValueOrDefault("waonly")?.Trim(), "yes", StringComparison.OrdinalIgnoreCase))
        {
            throw Refuse(ErrorCodes.InvalidField, "waonly=yes is required: this service sends WhatsApp messages only, never SMS.", "Add waonly=yes, as SMSMobileAPI's WhatsApp documentation asks.");
        }

        var recipients = (p.GetValueOrDefault("recipients") ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (recipients.Length == 0)
        {
            throw Refuse(ErrorCodes.MissingRecipient, "recipients is required: the number with its country code, without + or 00, for example 191728660.");
        }

        if (recipients.Length > SmsMobileApiLimits.MaxRecipients)
        {
            throw Refuse(ErrorCodes.InvalidRecipients, $"At most {SmsMobileApiLimits.MaxRecipients} recipients per request; this one has {recipients.Length}.");
        }

        var content = Content(p);
        var replies = new List<SmsMobileApiRecipientReply>();
        foreach (var recipient in recipients)
        {
            var fields = new Dictionary<string, string>(content, StringComparer.OrdinalIgnoreCase) { ["recipient"] = Recipient(recipient) };
            var answer = NativeAnswer.Of(await send.SendAsync(fields, caller, cancellationToken));
            if (recipients.Length == 1 && !answer.Succeeded)
            {
                // One recipient: its refusal is the answer, with the native status (429 and its Retry-After included).
                return SmsMobileApiShapes.Error(new ApiError(answer.Status, answer.ErrorCode, answer.ErrorMessage), answer.Headers);
            }

            replies.Add(answer.Succeeded
                ? new SmsMobileApiRecipientReply(recipient, "0", answer.Data.GetProperty("queue_id").GetString(), null, null)
                : new SmsMobileApiRecipientReply(recipient, "1", null, answer.ErrorMessage, answer.ErrorCode));
        }

        var allSent = replies.All(r => r.Error == "0");
        return SmsMobileApiShapes.Ok(new SmsMobileApiSendReply(allSent ? "0" : "1", allSent ? "yes" : "no", replies.FirstOrDefault(r => r.MessageGuid is not null)?.MessageGuid, replies));
    }

    /// <summary>GET or POST resendwa?guid=: a failed message sent again (a new attempt of the same message); any other status is refused with it.</summary>
    public async Task<IActionResult> ResendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var guid = p.GetValueOrDefault("guid")?.Trim();
        if (string.IsNullOrEmpty(guid))
        {
            throw Refuse(ErrorCodes.InvalidField, "guid is required: the guid sendsms answered for the message.");
        }

        var answer = NativeAnswer.Of(await messages.ResendAsync(request, guid, cancellationToken));
        return answer.Succeeded
            ? SmsMobileApiShapes.Ok(new SmsMobileApiSendReply("0", "yes", guid, [new SmsMobileApiRecipientReply(answer.Data.GetProperty("recipient").GetString()!.TrimStart('+'), "0", guid, "resent", null)]))
            : SmsMobileApiShapes.Error(new ApiError(answer.Status, answer.ErrorCode, answer.ErrorMessage));
    }

    /// <summary>
    /// GET getwa/synchronisation: SMSMobileAPI makes clients ask for a synchronisation before reading
    /// messages. Inbound messages here are stored as they arrive, so it is answered at once, in its shape.
    /// </summary>
    public IActionResult Synchronise(HttpRequest request)
    {
        _ = request.Caller();
        var (text, unix) = SmsMobileApiShapes.Time(time.GetUtcNow() + SynchronisationLifetime);
        return SmsMobileApiShapes.Ok(new SmsMobileApiSynchronisation("0", "synchronized", text, unix));
    }

    /// <summary>GET getwa: received messages newest first in its shape, filtered by before (Unix seconds), date (yyyy-mm-dd, UTC) and message_type (text or audio).</summary>
    public async Task<IActionResult> InboundAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var q = request.Query;
        long? before = null;
        if (q["before"].ToString() is { Length: > 0 } beforeText)
        {
            before = long.TryParse(beforeText, NumberStyles.None, CultureInfo.InvariantCulture, out var b)
                ? b
                : throw Refuse(ErrorCodes.InvalidField, $"before must be a Unix timestamp in seconds, not '{Clip.Preview(beforeText)}'.", "For example before=1741692420.");
        }

        DateOnly? date = null;
        if (q["date"].ToString() is { Length: > 0 } dateText)
        {
            date = DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d
                : throw Refuse(ErrorCodes.InvalidField, $"date must be yyyy-mm-dd, not '{Clip.Preview(dateText)}'.", "For example date=2025-03-11.");
        }

        var type = q["message_type"].ToString().Trim().ToLowerInvariant();
        if (type is not ("" or "text" or "audio"))
        {
            throw Refuse(ErrorCodes.InvalidField, $"message_type is text or audio (or left out for both), not '{Clip.Preview(type)}'.");
        }

        var page = await inbound.ListAsync(caller.Account.Id, null, null, InboundWindow, cancellationToken);
        var shown = page
            .Where(m => before is null || m.At.ToUnixTimeSeconds() < before)
            .Where(m => date is null || DateOnly.FromDateTime(m.At.UtcDateTime) == date)
            .Where(m => type switch
            {
                "text" => m.Type == "text",
                "audio" => m.Type is "audio" or "voice" or "ptt",
                _ => m.Type is "text" or "audio" or "voice" or "ptt",
            })
            .Select(m =>
            {
                var (at, unix) = SmsMobileApiShapes.Time(m.At);
                return new SmsMobileApiInbound(at[..10], at[11..], unix, m.From.TrimStart('+'), m.FromName ?? string.Empty, m.Text ?? string.Empty, m.MessageId, m.Type);
            })
            .ToList();
        return SmsMobileApiShapes.Ok(shown);
    }

    private Task<Dictionary<string, string>> ParametersAsync(HttpRequest request, CancellationToken cancellationToken) =>
        SurfaceParameters.ReadAsync(reader, request, cancellationToken);

    /// <summary>message and url_media as native fields: an image by its extension, any other file as a document named from the URL.</summary>
    private static Dictionary<string, string> Content(Dictionary<string, string> p)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var message = p.GetValueOrDefault("message");
        if (!string.IsNullOrEmpty(message))
        {
            // WhatsApp formatting (*bold*, _italic_, ~strike~, ```mono```) passes through untouched.
            fields["text"] = message;
        }

        if (p.GetValueOrDefault("url_media")?.Trim() is { Length: > 0 } media)
        {
            if (!Uri.TryCreate(media, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
            {
                throw Refuse(ErrorCodes.InvalidMediaUrl, "url_media must start with https:// and be publicly reachable.", "For example url_media=https://example.com/logo.png.");
            }

            var name = Path.GetFileName(url.AbsolutePath);
            var extension = Path.GetExtension(name).TrimStart('.').ToLowerInvariant();
            if (SmsMobileApiLimits.Images.Contains(extension))
            {
                fields["file"] = media;
            }
            else if (SmsMobileApiLimits.Documents.Contains(extension))
            {
                fields["document"] = media;
                fields["filename"] = name;
            }
            else
            {
                throw Refuse(ErrorCodes.InvalidMediaUrl, $"url_media must point to a file of a supported type ({string.Join(", ", SmsMobileApiLimits.Images.Concat(SmsMobileApiLimits.Documents))}), not '{Clip.Preview(name)}'.");
            }
        }

        if (fields.Count == 0)
        {
            throw Refuse(ErrorCodes.MissingContent, "message is required (or url_media).");
        }

        return fields;
    }

    /// <summary>SMSMobileAPI numbers are digits with the country code and no + or 00 (its own examples also use +); native parsing then checks them.</summary>
    private static string Recipient(string text)
    {
        var trimmed = text.Trim();
        return trimmed.StartsWith('+') ? trimmed : "+" + trimmed;
    }

    private static ApiErrorException Refuse(string code, string message, string? hint = null) => new(ApiError.BadRequest(code, message, hint));
}

/// <summary>What SMSMobileAPI documents for url_media, and our cap on recipients per request.</summary>
public static class SmsMobileApiLimits
{
    public const int MaxRecipients = 50;

    public static readonly IReadOnlySet<string> Images = new HashSet<string>(StringComparer.Ordinal) { "jpg", "jpeg", "png" };

    public static readonly IReadOnlySet<string> Documents = new HashSet<string>(StringComparer.Ordinal)
    {
        "pdf", "xml", "doc", "docx", "odt", "rtf", "txt", "tex", "xls", "xlsx", "csv", "ods", "ppt", "pptx", "odp", "zip", "rar", "7z", "tar", "gz",
    };
}
