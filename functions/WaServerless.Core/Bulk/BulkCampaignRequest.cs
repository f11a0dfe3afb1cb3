using System.Globalization;
using System.Text.Json;
using WaServerless.Core.Contracts;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Core.Text;

namespace WaServerless.Core.Bulk;

/// <summary>What a POST /api/bulk asks for, apart from its recipients.</summary>
public sealed record BulkCampaignRequest(
    string? Name,
    MessageContent Content,
    Priority Priority,
    string? IdempotencyKey,
    CampaignSpacing Spacing,
    string? Session,
    string RecipientColumn);

/// <summary>
/// The fields of POST /api/bulk. The content fields are POST /api/send's, read by
/// <see cref="SendRequestParser"/> with a stand-in recipient, so every message type and every one of
/// its errors applies; the text (or caption, or body, or a template message's parameters) may hold
/// {{variable}} placeholders. The
/// campaign's own fields: name, session, recipient_column, and the schedule: interval_seconds
/// (default <see cref="CampaignIntervalLimits.DefaultInterval"/>), jitter (a fraction in [0, 1)),
/// window_start and window_end (HH:mm, both or neither) in time_zone (IANA, default UTC).
/// Priority is bulk unless given; otp is refused.
/// </summary>
public static class BulkCampaignRequestParser
{
    public const int MaxNameLength = 100;

    /// <summary>Stands in for the recipient while the content is parsed; never sent to.</summary>
    private const string StandInRecipient = "+14155550123";

    private static readonly string[] CampaignFields =
        ["name", "session", "recipient_column", "interval_seconds", "jitter", "window_start", "window_end", "time_zone", "apikey", "wait_for_session"];

    private static readonly string[] SingleRecipientFields = ["recipient", "phone", "number", "to"];

    public static BulkCampaignRequest Parse(IReadOnlyDictionary<string, string> fields, CampaignIntervalLimits options)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var single in SingleRecipientFields)
        {
            if (Get(fields, single) is not null)
            {
                throw new ApiErrorException(ApiError.BadRequest(
                    ErrorCodes.UnknownField,
                    $"A campaign has no field '{single}'; its recipients go in 'recipients'.",
                    "Give 'recipients' as a JSON array, or upload a CSV file named 'recipients'."));
            }
        }

        var contentFields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (field, value) in fields)
        {
            if (!CampaignFields.Contains(field, StringComparer.OrdinalIgnoreCase))
            {
                contentFields[field] = value;
            }
        }

        contentFields["recipient"] = StandInRecipient;
        if (Get(fields, "priority") is null)
        {
            contentFields["priority"] = Priority.Bulk.Label;
        }

        var parsed = SendRequestParser.Parse(contentFields);
        if (parsed.Error is { } error)
        {
            throw new ApiErrorException(error);
        }

        var send = parsed.Request!;
        if (send.Priority.Lane == Lane.Otp)
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidPriority, "A campaign cannot use otp priority: the otp lane is kept for one-time codes.", "Leave priority out (bulk), or use low, normal or high."));
        }

        CheckTemplate(send.Content);
        var name = Get(fields, "name");
        if (name is not null && (name.Length > MaxNameLength || name.Any(char.IsControl)))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, $"name must be 1 to {MaxNameLength} printable characters."));
        }

        var recipientColumn = Get(fields, "recipient_column") ?? RecipientSources.DefaultRecipientColumn;
        if (recipientColumn.Length > MaxNameLength)
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, $"recipient_column is longer than {MaxNameLength} characters."));
        }

        return new BulkCampaignRequest(name, send.Content, send.Priority, send.IdempotencyKey, ParseSpacing(fields, options), Get(fields, "session"), recipientColumn);
    }

    /// <summary>interval_seconds, jitter, window_start, window_end and time_zone, each checked; 400 INVALID_SCHEDULE otherwise.</summary>
    public static CampaignSpacing ParseSpacing(IReadOnlyDictionary<string, string> fields, CampaignIntervalLimits options)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(options);
        var interval = options.DefaultInterval;
        if (Get(fields, "interval_seconds") is { } intervalText)
        {
            if (!double.TryParse(intervalText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var seconds)
                || !double.IsFinite(seconds) || seconds < 0 || seconds > options.MaxInterval.TotalSeconds)
            {
                throw Schedule($"interval_seconds must be a number of seconds from 0 to {options.MaxInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture)}.", "For example 2, or 0.5 for half a second.");
            }

            interval = TimeSpan.FromMilliseconds(Math.Round(seconds * 1000));
        }

        var jitter = 0.0;
        if (Get(fields, "jitter") is { } jitterText
            && (!double.TryParse(jitterText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out jitter) || !double.IsFinite(jitter) || jitter < 0 || jitter >= 1))
        {
            throw Schedule("jitter must be a fraction from 0 up to (not including) 1.", "0.2 spreads each interval by up to 20% either way.");
        }

        var start = Time(fields, "window_start");
        var end = Time(fields, "window_end");
        if ((start is null) != (end is null))
        {
            throw Schedule("Give both window_start and window_end, or neither.", "For example window_start=09:00, window_end=20:00 and time_zone=Europe/Berlin.");
        }

        var zone = Get(fields, "time_zone") ?? "UTC";
        if (!DailyWindow.IsKnownTimeZone(zone))
        {
            throw Schedule($"Unknown time zone '{Clip.Preview(zone)}'.", "Use an IANA time zone name, for example Europe/Berlin or America/New_York.");
        }

        return new CampaignSpacing(interval, jitter, start, end, zone);
    }

    /// <summary>
    /// Placeholders are filled only in the text, caption or body: a "{{" left anywhere else (a button
    /// title, a URL, the footer) or one that is not a well-formed {{name}} would be sent as it is.
    /// </summary>
    private static void CheckTemplate(MessageContent content)
    {
        var rendered = JsonSerializer.Serialize(CampaignTemplate.Render(content, null), WireJson.Options);
        if (rendered.Contains("{{", StringComparison.Ordinal))
        {
            throw new ApiErrorException(ApiError.BadRequest(
                ErrorCodes.InvalidTemplate,
                "The content has a '{{' that is not a placeholder, or a placeholder outside the text.",
                "Placeholders look like {{name}} (letters, digits, '_', '-', '.') and are filled only in 'text' (the caption or body of other types) and in a WhatsApp template's text parameters."));
        }
    }

    private static TimeOnly? Time(IReadOnlyDictionary<string, string> fields, string name)
    {
        var text = Get(fields, name);
        if (text is null)
        {
            return null;
        }

        if (text == "24:00")
        {
            return TimeOnly.MinValue;
        }

        return TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            ? time
            : throw Schedule($"{name} must be a time of day as HH:mm, for example 09:00.");
    }

    private static string? Get(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    private static ApiErrorException Schedule(string message, string? hint = null) => new(ApiError.BadRequest(ErrorCodes.InvalidSchedule, message, hint));

}
