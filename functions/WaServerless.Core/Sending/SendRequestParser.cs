using System.Globalization;
using System.Text.Json;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Text;

namespace WaServerless.Core.Sending;

/// <summary>
/// Turns the fields of POST /api/send (the same names whether they came as a form, multipart or
/// JSON) into a <see cref="SendRequest"/>, detecting the message type from which fields are
/// present, or into the one <see cref="ApiError"/> that tells the caller what to fix.
/// </summary>
public static partial class SendRequestParser
{
    /// <summary>Names callers reach for by habit, and the name this API uses instead.</summary>
    private static readonly Dictionary<string, string> WrongNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["phone"] = "recipient",
        ["number"] = "recipient",
        ["to"] = "recipient",
        ["message"] = "text",
        ["msg"] = "text",
        ["body"] = "text",
        ["image"] = "file",
        ["photo"] = "file",
    };

    private static readonly string[] ButtonFields =
        ["button1", "button2", "button3", "button1id", "button2id", "button3id"];

    private static readonly string[] ListFields = ["list_title", "list_button", "list_sections"];

    public static SendRequestParseResult Parse(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        try
        {
            return new SendRequestParseResult(ParseOrThrow(new Fields(fields)), null);
        }
        catch (ApiErrorException e)
        {
            return new SendRequestParseResult(null, e.Error);
        }
    }

    private static SendRequest ParseOrThrow(Fields f)
    {
        foreach (var (wrong, right) in WrongNames)
        {
            if (f.Has(wrong) && !f.Has(right))
            {
                throw Fail(ErrorCodes.UnknownField, $"Unknown field '{wrong}'.", $"Use '{right}' instead of '{wrong}'.");
            }
        }

        var recipientText = f.Get("recipient")
            ?? throw Fail(ErrorCodes.MissingRecipient, "The field 'recipient' is required.", "Give the number in international format, for example +14155550123.");
        var recipient = PhoneNumberNormalizer.TryNormalize(recipientText)
            ?? GroupIds.TryNormalize(recipientText)
            ?? throw Fail(ErrorCodes.InvalidRecipient, $"'{Clip.Preview(recipientText)}' is not a valid phone number or group id.", "Use international format with the country code, for example +14155550123, or a group id such as 120363025246125486@g.us.");

        if (!Priority.TryParse(f.Get("priority"), out var priority))
        {
            throw Fail(ErrorCodes.InvalidPriority, $"Unknown priority '{Clip.Preview(f.Get("priority"))}'.", "Use otp, urgent, high, normal, bulk or low, or a number from 1 (most urgent) to 10.");
        }

        var idempotencyKey = f.Get("idempotency_key");
        if (idempotencyKey is not null && (idempotencyKey.Length > WhatsAppLimits.IdempotencyKeyMaxLength || idempotencyKey.Any(char.IsControl)))
        {
            throw Fail(ErrorCodes.InvalidIdempotencyKey, $"idempotency_key must be 1 to {WhatsAppLimits.IdempotencyKeyMaxLength} printable characters.");
        }

        var content = ParseContent(f);

        var declared = f.Get("type") ?? f.Get("message_type");
        if (declared is not null && (!MessageTypeNames.TryParse(declared, out var declaredType) || declaredType != content.Type))
        {
            throw Fail(ErrorCodes.MessageTypeMismatch, $"The fields describe a {content.Type.ToWire()} message, but type says '{Clip.Preview(declared)}'.", "Leave out type: it is detected from the fields.");
        }

        return new SendRequest(recipient, content, priority, idempotencyKey);
    }

    private static MessageContent ParseContent(Fields f)
    {
        var markers = new List<(MessageType Type, string Field)>();
        void Mark(MessageType type, params string[] names)
        {
            var present = names.FirstOrDefault(f.Has);
            if (present is not null)
            {
                markers.Add((type, present));
            }
        }

        Mark(MessageType.Image, "file");
        Mark(MessageType.Document, "document", "filename");
        Mark(MessageType.Video, "video");
        Mark(MessageType.Audio, "audio");
        Mark(MessageType.Location, "latitude", "longitude", "label");
        Mark(MessageType.Contact, "contact_name", "contact_phone");
        Mark(MessageType.Buttons, ButtonFields);
        Mark(MessageType.CopyCode, "copycode", "copytext");
        Mark(MessageType.List, ListFields);
        Mark(MessageType.Poll, "poll_question", "poll_options", "poll_multiple");
        Mark(MessageType.CallToAction, CallToActionFields);
        Mark(MessageType.Album, "album");
        Mark(MessageType.Carousel, CarouselFields);
        Mark(MessageType.Template, TemplateMarkers(f));
        if (markers.Count == 0 && IsDeclared(f, MessageType.Template))
        {
            // message_type=template with no template fields: say what a template needs, not "no content".
            markers.Add((MessageType.Template, "message_type"));
        }

        if (markers.Count > 1)
        {
            var names = string.Join(", ", markers.Select(m => $"'{m.Field}' ({m.Type.ToWire()})"));
            throw Fail(ErrorCodes.ConflictingMessageTypes, $"The request mixes fields of more than one message type: {names}.", "Send one message type per request.");
        }

        if (f.Has("ptt") && (markers.Count == 0 || markers[0].Type != MessageType.Audio))
        {
            throw Fail(ErrorCodes.InvalidField, "ptt applies to audio messages only.", "Give the voice note's URL in 'audio' with ptt=true.");
        }

        if (markers.Count == 0)
        {
            var text = f.Get("text")
                ?? throw Fail(ErrorCodes.MissingContent, "The request has no message content.", "Give 'text', or the fields of another message type (file, document, video, audio, latitude/longitude, contact_name/contact_phone, button1.., copycode, list_title.., poll_question, url_button_text/url_button_url, call_button_text/call_button_phone, album, cards, template_name or template).");
            return new TextContent(Limit(text, WhatsAppLimits.TextMaxLength, "text"));
        }

        return markers[0].Type switch
        {
            MessageType.Image => new ImageContent(MediaUrl(f, "file"), Caption(f)),
            MessageType.Document => ParseDocument(f),
            MessageType.Video => new VideoContent(MediaUrl(f, "video"), Caption(f)),
            MessageType.Audio => ParseAudio(f),
            MessageType.Location => ParseLocation(f),
            MessageType.Contact => ParseContact(f),
            MessageType.Buttons => ParseButtons(f),
            MessageType.CopyCode => ParseCopyCode(f),
            MessageType.List => ParseList(f),
            MessageType.Poll => ParsePoll(f),
            MessageType.CallToAction => ParseCallToAction(f),
            MessageType.Album => ParseAlbum(f),
            MessageType.Carousel => ParseCarousel(f),
            MessageType.Template => ParseTemplate(f),
            _ => throw new InvalidOperationException("unreachable"),
        };
    }

    private static DocumentContent ParseDocument(Fields f)
    {
        var url = f.Has("document")
            ? MediaUrl(f, "document")
            : throw Fail(ErrorCodes.InvalidMediaUrl, "'filename' was given without 'document'.", "Give the document's URL in 'document'.");
        var filename = f.Get("filename");
        if (filename is not null
            && (filename.Length > WhatsAppLimits.FilenameMaxLength || filename.IndexOfAny(['/', '\\']) >= 0 || filename.Any(char.IsControl)))
        {
            throw Fail(ErrorCodes.InvalidFilename, $"filename must be at most {WhatsAppLimits.FilenameMaxLength} characters with no path separators.");
        }

        return new DocumentContent(url, filename, Caption(f));
    }

    private static AudioContent ParseAudio(Fields f)
    {
        if (f.Has("text"))
        {
            throw Fail(ErrorCodes.ConflictingMessageTypes, "WhatsApp audio messages have no caption, so 'text' cannot go with 'audio'.", "Send the text as a message of its own.");
        }

        return new AudioContent(MediaUrl(f, "audio"), Ptt(f));
    }

    // ptt=true: a voice note; false (the default): an audio file.
    private static bool Ptt(Fields f) => f.Get("ptt")?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        var other => throw Fail(ErrorCodes.InvalidField, $"ptt must be true or false, not '{Text.Clip.Preview(other)}'.", "ptt=true sends the audio as a voice note."),
    };

    private static LocationContent ParseLocation(Fields f)
    {
        var lat = Coordinate(f, "latitude", 90);
        var lon = Coordinate(f, "longitude", 180);
        var label = f.Get("label");
        if (label is not null)
        {
            Limit(label, WhatsAppLimits.LocationLabelMaxLength, "label");
        }

        if (f.Has("text"))
        {
            throw Fail(ErrorCodes.ConflictingMessageTypes, "A location message carries no text; put a name in 'label'.");
        }

        return new LocationContent(lat, lon, label);
    }

    private static double Coordinate(Fields f, string name, double range)
    {
        var text = f.Get(name)
            ?? throw Fail(ErrorCodes.InvalidLocation, $"A location needs both 'latitude' and 'longitude'; '{name}' is missing.");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw Fail(ErrorCodes.InvalidLocation, $"'{name}' must be a decimal number, for example 51.5074.");
        }

        if (Math.Abs(value) > range)
        {
            throw Fail(ErrorCodes.InvalidLocation, $"'{name}' must be between -{range} and {range}.");
        }

        return value;
    }

    private static ContactContent ParseContact(Fields f)
    {
        var name = f.Get("contact_name")
            ?? throw Fail(ErrorCodes.InvalidContact, "A contact card needs 'contact_name' and 'contact_phone'; 'contact_name' is missing.");
        var phoneText = f.Get("contact_phone")
            ?? throw Fail(ErrorCodes.InvalidContact, "A contact card needs 'contact_name' and 'contact_phone'; 'contact_phone' is missing.");
        var phone = PhoneNumberNormalizer.TryNormalize(phoneText)
            ?? throw Fail(ErrorCodes.InvalidContact, $"contact_phone '{Clip.Preview(phoneText)}' is not a valid phone number.", "Use international format with the country code.");
        if (f.Has("text"))
        {
            throw Fail(ErrorCodes.ConflictingMessageTypes, "A contact card carries no text.", "Send the text as a message of its own.");
        }

        return new ContactContent(Limit(name, WhatsAppLimits.ContactNameMaxLength, "contact_name"), phone);
    }

    private static ButtonsContent ParseButtons(Fields f)
    {
        var body = f.Get("text")
            ?? throw Fail(ErrorCodes.InvalidButtons, "A buttons message needs 'text' for its body.");
        Limit(body, WhatsAppLimits.InteractiveBodyMaxLength, "text");

        var buttons = new List<ReplyButton>();
        var ended = false;
        for (var i = 1; i <= WhatsAppLimits.MaxReplyButtons; i++)
        {
            var title = f.Get($"button{i}");
            var id = f.Get($"button{i}id");
            if (title is null)
            {
                if (id is not null)
                {
                    throw Fail(ErrorCodes.InvalidButtons, $"'button{i}id' was given without 'button{i}'.");
                }

                ended = true;
                continue;
            }

            if (ended)
            {
                throw Fail(ErrorCodes.InvalidButtons, $"'button{i}' was given but 'button{i - 1}' was not.", "Number buttons from button1 without gaps.");
            }

            if (title.Length > WhatsAppLimits.ButtonTitleMaxLength)
            {
                throw Fail(ErrorCodes.InvalidButtons, $"'button{i}' is {title.Length} characters; WhatsApp allows {WhatsAppLimits.ButtonTitleMaxLength}.");
            }

            id ??= $"button{i}";
            if (id.Length > WhatsAppLimits.ButtonIdMaxLength)
            {
                throw Fail(ErrorCodes.InvalidButtons, $"'button{i}id' is longer than {WhatsAppLimits.ButtonIdMaxLength} characters.");
            }

            if (buttons.Any(b => b.Id == id))
            {
                throw Fail(ErrorCodes.InvalidButtons, $"Button id '{Clip.Preview(id)}' is used twice; ids must be unique.");
            }

            if (buttons.Any(b => string.Equals(b.Title, title, StringComparison.OrdinalIgnoreCase)))
            {
                throw Fail(ErrorCodes.InvalidButtons, $"Button title '{title}' is used twice; WhatsApp requires unique titles.");
            }

            buttons.Add(new ReplyButton(id, title));
        }

        if (buttons.Count == 0)
        {
            throw Fail(ErrorCodes.InvalidButtons, "A buttons message needs 'button1'.");
        }

        return new ButtonsContent(body, buttons, Footer(f));
    }

    private static CopyCodeContent ParseCopyCode(Fields f)
    {
        var code = f.Get("copycode")
            ?? throw Fail(ErrorCodes.InvalidCopyCode, "'copytext' was given without 'copycode'.");
        if (code.Length > WhatsAppLimits.CopyCodeMaxLength || code.Any(char.IsWhiteSpace))
        {
            throw Fail(ErrorCodes.InvalidCopyCode, $"copycode must be 1 to {WhatsAppLimits.CopyCodeMaxLength} characters without spaces.");
        }

        // As SMESS documents it: text is the message, copytext the button's label.
        var text = f.Get("text");
        var label = f.Get("copytext");
        if (label is not null && label.Length > WhatsAppLimits.CopyButtonLabelMaxLength)
        {
            throw Fail(ErrorCodes.InvalidCopyCode, $"copytext, the copy button's label, must be at most {WhatsAppLimits.CopyButtonLabelMaxLength} characters.", "Put the message itself in 'text'.");
        }

        return new CopyCodeContent(code, text is null ? null : Limit(text, WhatsAppLimits.InteractiveBodyMaxLength, "text"), label);
    }

    private static readonly string[] CallToActionFields = ["url_button_text", "url_button_url", "call_button_text", "call_button_phone"];

    private static CallToActionContent ParseCallToAction(Fields f)
    {
        var text = f.Get("text")
            ?? throw Fail(ErrorCodes.InvalidButtons, "URL and call buttons go with a message: 'text' is missing.", "For example text=Track your order&url_button_text=Track&url_button_url=https://example.com/track.");
        var url = Pair(f, "url_button_text", "url_button_url", (label, target) => new UrlButton(label, ButtonUrl(target)));
        var call = Pair(f, "call_button_text", "call_button_phone", (label, target) => new CallButton(
            label,
            PhoneNumberNormalizer.TryNormalize(target)
                ?? throw Fail(ErrorCodes.InvalidButtons, $"call_button_phone '{Clip.Preview(target)}' is not a valid phone number.", "Use international format with the country code, e.g. +14155550123.")));
        return new CallToActionContent(Limit(text, WhatsAppLimits.InteractiveBodyMaxLength, "text"), url, call, Footer(f));

        static T? Pair<T>(Fields f, string labelField, string targetField, Func<string, string, T> create)
            where T : class
        {
            var label = f.Get(labelField);
            var target = f.Get(targetField);
            if (label is null && target is null)
            {
                return null;
            }

            if (label is null || target is null)
            {
                throw Fail(ErrorCodes.InvalidButtons, $"'{labelField}' and '{targetField}' go together; '{(label is null ? labelField : targetField)}' is missing.");
            }

            label = label.Trim();
            if (label.Length == 0 || label.Length > WhatsAppLimits.ButtonTitleMaxLength)
            {
                throw Fail(ErrorCodes.InvalidButtons, $"'{labelField}' must be 1 to {WhatsAppLimits.ButtonTitleMaxLength} characters; it is {label.Length}.");
            }

            return create(label, target.Trim());
        }
    }

    /// <summary>A link the recipient opens: absolute http or https only (no javascript:, data: or tel:), at most 2,000 characters as Meta allows.</summary>
    private static Uri ButtonUrl(string text)
    {
        if (HttpUrl(text, WhatsAppLimits.ButtonUrlMaxLength) is not { } uri || text.Any(char.IsControl))
        {
            throw Fail(ErrorCodes.InvalidButtons, $"url_button_url must be an absolute http or https URL of at most {WhatsAppLimits.ButtonUrlMaxLength} characters.", "For example https://example.com/track/123.");
        }

        return uri;
    }

    private static PollContent ParsePoll(Fields f)
    {
        var question = f.Get("poll_question");
        if (string.IsNullOrWhiteSpace(question))
        {
            throw Fail(ErrorCodes.InvalidPoll, "A poll needs 'poll_question'.", """For example poll_question=Which day suits you? and poll_options=["Monday","Tuesday"].""");
        }

        if (f.Has("text"))
        {
            throw Fail(ErrorCodes.ConflictingMessageTypes, "A poll's text is its poll_question; 'text' cannot go with it.", "Put the question in poll_question.");
        }

        if (question.Length > WhatsAppLimits.PollQuestionMaxLength)
        {
            throw Fail(ErrorCodes.InvalidPoll, $"poll_question is {question.Length} characters; WhatsApp allows {WhatsAppLimits.PollQuestionMaxLength}.");
        }

        var options = PollOptions(f.Get("poll_options"));
        var multiple = f.Get("poll_multiple")?.Trim().ToLowerInvariant() switch
        {
            null or "" or "false" or "0" => false,
            "true" or "1" => true,
            var other => throw Fail(ErrorCodes.InvalidPoll, $"poll_multiple must be true or false, not '{Text.Clip.Preview(other)}'."),
        };
        return new PollContent(question.Trim(), options, multiple);
    }

    private static List<string> PollOptions(string? json)
    {
        const string Example = """poll_options=["Monday","Tuesday","Wednesday"]""";
        if (string.IsNullOrWhiteSpace(json))
        {
            throw Fail(ErrorCodes.InvalidPoll, $"A poll needs 'poll_options': a JSON array of {WhatsAppLimits.PollMinOptions} to {WhatsAppLimits.PollMaxOptions} options.", Example);
        }

        List<string?>? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<List<string?>>(json);
        }
        catch (JsonException)
        {
            throw Fail(ErrorCodes.InvalidPoll, "poll_options must be a JSON array of strings.", Example);
        }

        if (parsed is null || parsed.Count < WhatsAppLimits.PollMinOptions || parsed.Count > WhatsAppLimits.PollMaxOptions)
        {
            throw Fail(ErrorCodes.InvalidPoll, $"A poll has {WhatsAppLimits.PollMinOptions} to {WhatsAppLimits.PollMaxOptions} options; this one has {parsed?.Count ?? 0}.", Example);
        }

        var options = new List<string>(parsed.Count);
        foreach (var option in parsed)
        {
            var value = option?.Trim();
            if (string.IsNullOrEmpty(value) || value.Length > WhatsAppLimits.PollOptionMaxLength)
            {
                throw Fail(ErrorCodes.InvalidPoll, $"Each poll option is 1 to {WhatsAppLimits.PollOptionMaxLength} characters.");
            }

            if (options.Contains(value, StringComparer.OrdinalIgnoreCase))
            {
                throw Fail(ErrorCodes.InvalidPoll, $"The poll option '{Text.Clip.Preview(value)}' is given twice; options must differ.");
            }

            options.Add(value);
        }

        return options;
    }

    private static ListContent ParseList(Fields f)
    {
        var missing = ListFields.Where(n => !f.Has(n)).ToList();
        if (missing.Count > 0)
        {
            throw Fail(ErrorCodes.InvalidList, $"A list message needs list_title, list_button and list_sections; missing: {string.Join(", ", missing)}.");
        }

        var title = Limit(f.Get("list_title")!, WhatsAppLimits.ListHeaderMaxLength, "list_title");
        var button = f.Get("list_button")!;
        if (button.Length > WhatsAppLimits.ListButtonMaxLength)
        {
            throw Fail(ErrorCodes.InvalidList, $"list_button is {button.Length} characters; WhatsApp allows {WhatsAppLimits.ListButtonMaxLength}.");
        }

        var body = f.Get("text")
            ?? throw Fail(ErrorCodes.InvalidList, "A list message needs 'text' for its body.");
        Limit(body, WhatsAppLimits.InteractiveBodyMaxLength, "text");

        return new ListContent(title, body, button, ParseSections(f.Get("list_sections")!), Footer(f));
    }

    private static List<ListSection> ParseSections(string json)
    {
        JsonDocument document;
        try
        {
            document = StrictJson.Parse(json);
        }
        catch (JsonException)
        {
            throw Fail(ErrorCodes.InvalidList, "list_sections is not valid JSON.", """Example: [{"title":"Menu","rows":[{"rowId":"r1","title":"Pizza","description":"Large"}]}]""");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() == 0)
            {
                throw Fail(ErrorCodes.InvalidList, "list_sections must be a non-empty JSON array of sections.");
            }

            var sections = new List<ListSection>();
            var rowIds = new HashSet<string>(StringComparer.Ordinal);
            var totalRows = 0;
            var index = 0;
            foreach (var section in document.RootElement.EnumerateArray())
            {
                index++;
                if (section.ValueKind != JsonValueKind.Object)
                {
                    throw Fail(ErrorCodes.InvalidList, $"Section {index} is not an object.");
                }

                var sectionTitle = OptionalString(section, "title", $"section {index}");
                if (sectionTitle is not null && sectionTitle.Length > WhatsAppLimits.ListSectionTitleMaxLength)
                {
                    throw Fail(ErrorCodes.InvalidList, $"Section {index} title is longer than {WhatsAppLimits.ListSectionTitleMaxLength} characters.");
                }

                if (!section.TryGetProperty("rows", out var rows) || rows.ValueKind != JsonValueKind.Array || rows.GetArrayLength() == 0)
                {
                    throw Fail(ErrorCodes.InvalidList, $"Section {index} needs a non-empty 'rows' array.");
                }

                var parsedRows = new List<ListRow>();
                foreach (var row in rows.EnumerateArray())
                {
                    totalRows++;
                    var where = $"row {totalRows}";
                    if (row.ValueKind != JsonValueKind.Object)
                    {
                        throw Fail(ErrorCodes.InvalidList, $"List {where} is not an object.");
                    }

                    var rowId = OptionalString(row, "rowId", where) ?? OptionalString(row, "id", where)
                        ?? throw Fail(ErrorCodes.InvalidList, $"List {where} has no rowId.");
                    if (rowId.Length == 0 || rowId.Length > WhatsAppLimits.ListRowIdMaxLength)
                    {
                        throw Fail(ErrorCodes.InvalidList, $"List {where} rowId must be 1 to {WhatsAppLimits.ListRowIdMaxLength} characters.");
                    }

                    if (!rowIds.Add(rowId))
                    {
                        throw Fail(ErrorCodes.InvalidList, $"rowId '{Clip.Preview(rowId)}' is used twice; row ids must be unique across the list.");
                    }

                    var rowTitle = OptionalString(row, "title", where);
                    if (string.IsNullOrWhiteSpace(rowTitle) || rowTitle.Length > WhatsAppLimits.ListRowTitleMaxLength)
                    {
                        throw Fail(ErrorCodes.InvalidList, $"List {where} title must be 1 to {WhatsAppLimits.ListRowTitleMaxLength} characters.");
                    }

                    var description = OptionalString(row, "description", where);
                    if (description is not null && description.Length > WhatsAppLimits.ListRowDescriptionMaxLength)
                    {
                        throw Fail(ErrorCodes.InvalidList, $"List {where} description is longer than {WhatsAppLimits.ListRowDescriptionMaxLength} characters.");
                    }

                    parsedRows.Add(new ListRow(rowId, rowTitle, description));
                }

                sections.Add(new ListSection(sectionTitle, parsedRows));
            }

            if (sections.Count > WhatsAppLimits.ListMaxSections)
            {
                throw Fail(ErrorCodes.InvalidList, $"A list has at most {WhatsAppLimits.ListMaxSections} sections; this one has {sections.Count}.");
            }

            if (totalRows > WhatsAppLimits.ListMaxRows)
            {
                throw Fail(ErrorCodes.InvalidList, $"A list has at most {WhatsAppLimits.ListMaxRows} rows in all; this one has {totalRows}.");
            }

            if (sections.Count > 1 && sections.Any(s => string.IsNullOrWhiteSpace(s.Title)))
            {
                throw Fail(ErrorCodes.InvalidList, "When a list has more than one section, every section needs a title.");
            }

            return sections;
        }
    }

    private static string? OptionalString(JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Fail(ErrorCodes.InvalidList, $"'{name}' of {where} must be a string.");
    }

    private static Uri MediaUrl(Fields f, string name) =>
        MediaUrl(f.Get(name) ?? throw Fail(ErrorCodes.InvalidMediaUrl, $"'{name}' is empty."), name);

    private static Uri MediaUrl(string text, string name)
    {
        return HttpUrl(text, WhatsAppLimits.MediaUrlMaxLength)
            ?? throw Fail(ErrorCodes.InvalidMediaUrl, $"'{name}' must be an absolute http or https URL.", "For example https://example.com/picture.jpg.");
    }

    /// <summary>An absolute http or https URL with a host, at most <paramref name="maxLength"/> characters; else null.</summary>
    private static Uri? HttpUrl(string text, int maxLength) =>
        text.Length <= maxLength
        && Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && !string.IsNullOrEmpty(uri.Host)
            ? uri
            : null;

    private static string? Caption(Fields f)
    {
        var caption = f.Get("text");
        return caption is null ? null : Limit(caption, WhatsAppLimits.CaptionMaxLength, "text");
    }

    private static string? Footer(Fields f)
    {
        var footer = f.Get("footer");
        return footer is null ? null : Limit(footer, WhatsAppLimits.FooterMaxLength, "footer");
    }

    private static string Limit(string value, int max, string name) =>
        value.Length <= max
            ? value
            : throw Fail(ErrorCodes.TextTooLong, $"'{name}' is {value.Length} characters; the limit is {max}.");

    private static ApiErrorException Fail(string code, string message, string? hint = null) =>
        new(ApiError.BadRequest(code, message, hint));

    /// <summary>Field access where blank means absent: a form always sends every input, empty or not.</summary>
    private sealed class Fields(IReadOnlyDictionary<string, string> raw)
    {
        public bool Has(string name) => Get(name) is not null;

        /// <summary>Names of the fields that have a value.</summary>
        public IEnumerable<string> Names => raw.Where(p => !string.IsNullOrWhiteSpace(p.Value)).Select(p => p.Key);

        public string? Get(string name) =>
            raw.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
    }
}

public sealed record SendRequestParseResult(SendRequest? Request, ApiError? Error)
{
    public bool IsSuccess => Request is not null;
}
