using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using WaServerless.Api.Auth;
using WaServerless.Api.Consent;
using WaServerless.Api.Http;
using WaServerless.Api.Lookups;
using WaServerless.Api.Sending;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Text;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Aliases;
using WaServerless.Storage.Inbound;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Compat.SmsGlobal;

/// <summary>
/// SMSGlobal's WhatsApp Business API under /api/smsglobal, laid out as its REST API lays out SMS
/// (/v2/sms, /v2/sms-incoming): /v2/whatsapp to send and list what was sent, /v2/whatsapp-incoming
/// for what was received, /v2/whatsapp/capability and /v2/whatsapp/opt-in. Authenticated by its MAC
/// scheme (keys and secrets issued per account at /api/smsglobal/keys) or by an API key; JSON only,
/// with its 406 and 415 for the wrong Accept or Content-Type.
/// </summary>
public sealed class SmsGlobalHandler(
    RequestFieldsReader reader,
    SendHandler send,
    NumberChecksHandler numbers,
    ConsentHandler consent,
    MessageStore messages,
    InboundMessageStore inbound,
    SessionStore sessions,
    MacCredentialStore macs,
    NumericIdStore aliases,
    CompatMediaCheck media)
{
    public const int MaxWindow = 10_000;
    public const int MaxLimit = 1000;

    /// <summary>
    /// How many stored messages one list request reads at most, newest first: its filters and search
    /// look through the newest 20,000 in the date range, so that no request reads a whole account.
    /// </summary>
    public const int MaxScanned = 20_000;

    private const int PageSize = 1000;

    /// <summary>POST /api/smsglobal/keys: a MAC key and secret for the account (the secret shown once), acting as the caller's key.</summary>
    public async Task<IActionResult> CreateKeyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = await reader.ReadAsync(request, cancellationToken);
        var caller = request.Caller();
        if (fields.Keys.FirstOrDefault(k => k is not ("name" or "apikey")) is { } unknown)
        {
            throw Refuse(ErrorCodes.UnknownField, $"Unknown field '{Clip.Preview(unknown)}'.", "A key has a name only.");
        }

        var name = fields.GetValueOrDefault("name")?.Trim() is { Length: > 0 } n ? n : "smsglobal";
        if (name.Length > 100 || name.Any(char.IsControl))
        {
            throw Refuse(ErrorCodes.InvalidField, "name is 1 to 100 printable characters.");
        }

        if (!macs.CanStoreSecrets)
        {
            throw new ApiErrorException(new ApiError(503, ErrorCodes.WebhooksNotConfigured, "MAC keys cannot be issued: Webhooks__EncryptionKey, which encrypts secrets the API must read back, is not configured."));
        }

        var (record, secret) = await macs.CreateAsync(caller.Account.Id, caller.Key.KeyId, name, cancellationToken);
        return new JsonApiResult(StatusCodes.Status201Created, new SmsGlobalKey(record.Id, secret, record.Name, record.CreatedAt));
    }

    public async Task<IActionResult> ListKeysAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var list = await macs.ListAsync(caller.Account.Id, cancellationToken);
        return new JsonApiResult(StatusCodes.Status200OK, new { keys = list.OrderBy(k => k.CreatedAt).Select(k => new SmsGlobalKey(k.Id, null, k.Name, k.CreatedAt)).ToList() });
    }

    /// <summary>DELETE /api/smsglobal/keys/{id}: a MAC key of the account revoked; signatures with it are refused from then on.</summary>
    public async Task<IActionResult> RevokeKeyAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        return await macs.RevokeAsync(caller.Account.Id, id, cancellationToken)
            ? new JsonApiResult(StatusCodes.Status200OK, new { key = id, revoked = true })
            : SmsGlobalShapes.Error(404, ErrorCodes.KeyNotFound, $"No MAC key '{Clip.Preview(id)}' in this account.");
    }

    /// <summary>POST /v2/whatsapp: {"to": [...], "message": {type, ...}} (a string message is text); one message per destination.</summary>
    public async Task<IActionResult> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Negotiate(request, body: true);
        var body = await reader.ReadAsync(request, cancellationToken);
        var caller = request.Caller();
        var to = Destinations(body.GetValueOrDefault("to"));

        // Every number is checked before any is sent, so a typo does not leave half a list sent.
        if (to.FirstOrDefault(d => Core.Sending.PhoneNumberNormalizer.TryNormalize(d) is null) is { } bad)
        {
            throw Refuse(ErrorCodes.InvalidRecipient, $"'{Clip.Preview(bad)}' in 'to' is not a phone number in international format.");
        }

        var content = await ContentAsync(body.GetValueOrDefault("message"), cancellationToken);
        var sent = new List<SmsGlobalOutgoing>();
        foreach (var destination in to)
        {
            var fields = new Dictionary<string, string>(content, StringComparer.OrdinalIgnoreCase) { ["recipient"] = destination };
            var answer = NativeAnswer.Of(await send.SendAsync(fields, caller, cancellationToken));
            if (!answer.Succeeded)
            {
                // A limit met part way: the refusal, and the messages already accepted (not to be sent again).
                return sent.Count == 0
                    ? SmsGlobalShapes.Error(answer.Status, answer.ErrorCode, answer.ErrorMessage, answer.Headers)
                    : SmsGlobalShapes.Error(answer.Status, answer.ErrorCode, $"{destination}: {answer.ErrorMessage}", answer.Headers, sent);
            }

            // Its ids are integers: an alias of the queue id, kept for good.
            var id = await aliases.NewAliasAsync(caller.Account.Id, AliasKind.Outgoing, answer.Data.GetProperty("queue_id").GetString()!, cancellationToken);
            sent.Add(new SmsGlobalOutgoing(id, answer.Data.GetProperty("recipient").GetString()!, "queued", "pending", Summary(content), SmsGlobalShapes.Date(DateTimeOffset.UtcNow)));
        }

        return new JsonApiResult(StatusCodes.Status200OK, new { messages = sent });
    }

    /// <summary>GET /v2/whatsapp: what was sent, newest first, with its offset, limit, startDate, endDate, destination and search.</summary>
    public async Task<IActionResult> ListOutgoingAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Negotiate(request, body: false);
        var caller = request.Caller();
        var (offset, limit) = Window(request.Query);
        var (from, to) = (Date(request.Query, "startDate"), Date(request.Query, "endDate"));
        var destination = request.Query["destination"].ToString() is { Length: > 0 } d ? Core.Sending.PhoneNumberNormalizer.TryNormalize(d) ?? throw Refuse(ErrorCodes.InvalidField, "destination must be a phone number.") : null;
        var search = request.Query["search"].ToString();
        var found = new List<MessageRecord>();
        string? cursor = null;
        var scanned = 0;
        do
        {
            var page = await messages.ListAsync(caller.Account.Id, new MessageQuery(null, destination, from, to), PageSize, cursor, cancellationToken);
            scanned += page.Items.Count;
            found.AddRange(page.Items.Where(m => search.Length == 0 || Matches(m, search)));
            cursor = page.NextCursor;
        }
        while (cursor is not null && found.Count < offset - 1 + limit && scanned < MaxScanned);

        var shown = found.Skip(offset - 1).Take(limit).ToList();
        var ids = await aliases.AliasesOfAsync(caller.Account.Id, AliasKind.Outgoing, [.. shown.Select(m => m.MessageId)], cancellationToken);
        return new JsonApiResult(StatusCodes.Status200OK, new { messages = shown.Select(m => Outgoing(m, ids[m.MessageId])).ToList() });
    }

    /// <summary>GET /v2/whatsapp/{id}: by its integer id (or this API's own msg_ id).</summary>
    public async Task<IActionResult> GetOutgoingAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        Negotiate(request, body: false);
        var caller = request.Caller();
        var (messageId, alias) = await ResolveAsync(caller.Account.Id, AliasKind.Outgoing, id, cancellationToken);
        var message = (messageId is null ? null : await messages.GetAsync(caller.Account.Id, messageId, cancellationToken))
            ?? throw new ApiErrorException(new ApiError(404, ErrorCodes.MessageNotFound, $"No message '{Clip.Preview(id)}'."));
        return new JsonApiResult(StatusCodes.Status200OK, Outgoing(message, alias ?? await aliases.AliasOfAsync(caller.Account.Id, AliasKind.Outgoing, message.MessageId, cancellationToken)));
    }

    /// <summary>The stored id an {id} in a path names, and its alias when the path gave the alias.</summary>
    private async Task<(string? Id, long? Alias)> ResolveAsync(string accountId, AliasKind kind, string id, CancellationToken cancellationToken) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var alias)
            ? (await aliases.ResolveAsync(accountId, kind, alias, cancellationToken), alias)
            : (id, null);

    /// <summary>GET /v2/whatsapp-incoming: what was received, newest first, with its offset, limit, startDate, endDate, origin and search.</summary>
    public async Task<IActionResult> ListIncomingAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Negotiate(request, body: false);
        var caller = request.Caller();
        var (offset, limit) = Window(request.Query);
        var (from, to) = (Date(request.Query, "startDate"), Date(request.Query, "endDate"));
        var origin = request.Query["origin"].ToString() is { Length: > 0 } o ? Core.Sending.PhoneNumberNormalizer.TryNormalize(o) ?? throw Refuse(ErrorCodes.InvalidField, "origin must be a phone number.") : null;
        var search = request.Query["search"].ToString();
        var phones = (await sessions.ListAsync(caller.Account.Id, cancellationToken)).ToDictionary(s => s.SessionId, s => s.Phone);
        var found = new List<InboundMessageReceived>();
        string? before = null;
        var scanned = 0;
        while (found.Count < offset - 1 + limit && scanned < MaxScanned)
        {
            var page = await inbound.ListAsync(caller.Account.Id, null, before, PageSize, cancellationToken);
            scanned += page.Count;
            found.AddRange(page.Where(m => (from is null || m.At >= from) && (to is null || m.At <= to) && (origin is null || m.From == origin)
                && (search.Length == 0 || (m.Text ?? string.Empty).Contains(search, StringComparison.OrdinalIgnoreCase) || m.From.Contains(search, StringComparison.Ordinal))));

            // Newest first: past the start of the range, nothing older can match.
            if (page.Count < PageSize || (from is not null && page[^1].At < from))
            {
                break;
            }

            before = page[^1].MessageId;
        }

        var shown = found.Skip(offset - 1).Take(limit).ToList();
        var ids = await aliases.AliasesOfAsync(caller.Account.Id, AliasKind.Incoming, [.. shown.Select(m => m.MessageId)], cancellationToken);
        return new JsonApiResult(StatusCodes.Status200OK, new { messages = shown.Select(m => Incoming(m, ids[m.MessageId], phones)).ToList() });
    }

    /// <summary>GET /v2/whatsapp-incoming/{id}: by its integer id (or this API's own id).</summary>
    public async Task<IActionResult> GetIncomingAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        Negotiate(request, body: false);
        var caller = request.Caller();
        var (messageId, alias) = await ResolveAsync(caller.Account.Id, AliasKind.Incoming, id, cancellationToken);
        var message = (messageId is null ? null : await inbound.GetAsync(caller.Account.Id, messageId, cancellationToken))
            ?? throw new ApiErrorException(new ApiError(404, ErrorCodes.MessageNotFound, $"No incoming message '{Clip.Preview(id)}'."));
        var phones = (await sessions.ListAsync(caller.Account.Id, cancellationToken)).ToDictionary(s => s.SessionId, s => s.Phone);
        return new JsonApiResult(StatusCodes.Status200OK, Incoming(message, alias ?? await aliases.AliasOfAsync(caller.Account.Id, AliasKind.Incoming, message.MessageId, cancellationToken), phones));
    }

    /// <summary>POST /v2/whatsapp/capability {"numbers": [...]}: whether each can receive WhatsApp messages, through the default session.</summary>
    public async Task<IActionResult> CapabilityAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Negotiate(request, body: true);
        var body = await reader.ReadAsync(request, cancellationToken);
        var list = Destinations(body.GetValueOrDefault("numbers"), "numbers");
        var (refusal, results) = await numbers.CheckAsync(request.Caller(), null, list, cancellationToken);
        if (refusal is not null)
        {
            var answer = NativeAnswer.Of(refusal);
            return SmsGlobalShapes.Error(answer.Status, answer.ErrorCode, answer.ErrorMessage, answer.Headers);
        }

        return new JsonApiResult(results.Any(r => r.Status == "pending") ? StatusCodes.Status202Accepted : StatusCodes.Status200OK, new
        {
            capabilities = results.Select(r => new SmsGlobalOptIn(string.Empty, r.Number, r.Exists == true, false)).ToList(),
        });
    }

    public async Task<IActionResult> ListOptInAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Negotiate(request, body: false);
        var answer = NativeAnswer.Of(await consent.ListAsync(request, cancellationToken));
        return answer.Succeeded
            ? new JsonApiResult(StatusCodes.Status200OK, new SmsGlobalOptIns(answer.Data.GetProperty("items").EnumerateArray().Select(i => new SmsGlobalOptIn(i.TryGetProperty("name", out var nm) ? nm.GetString() ?? string.Empty : string.Empty, i.GetProperty("number").GetString()!, true, false)).ToList()))
            : SmsGlobalShapes.Error(answer.Status, answer.ErrorCode, answer.ErrorMessage);
    }

    /// <summary>POST /v2/whatsapp/opt-in {"opt-in": [{name, number}]}: the native opt-in, answered with the numbers opted in.</summary>
    public async Task<IActionResult> OptInAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        Negotiate(request, body: true);
        var answer = NativeAnswer.Of(await consent.AddAsync(request, cancellationToken));
        if (!answer.Succeeded)
        {
            return SmsGlobalShapes.Error(answer.Status, answer.ErrorCode, answer.ErrorMessage);
        }

        // The native answer lists the numbers in the order sent; the names come from the same (already read) body.
        var body = await reader.ReadAsync(request, cancellationToken);
        using var sent = StrictJson.Parse(body["opt-in"]);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in sent.RootElement.EnumerateArray())
        {
            if (entry.TryGetProperty("number", out var number) && number.ValueKind == JsonValueKind.String
                && Core.Sending.PhoneNumberNormalizer.TryNormalize(number.GetString()!) is { } normalized
                && entry.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
            {
                names.TryAdd(normalized, name.GetString()!);
            }
        }

        return new JsonApiResult(StatusCodes.Status200OK, new SmsGlobalOptIns(
            answer.Data.GetProperty("numbers").EnumerateArray().Select(n => new SmsGlobalOptIn(names.GetValueOrDefault(n.GetString()!, string.Empty), n.GetString()!, true, false)).ToList()));
    }

    /// <summary>Its 406 for an Accept that excludes JSON, and 415 for a body that is not JSON.</summary>
    private static void Negotiate(HttpRequest request, bool body)
    {
        var accept = request.Headers.Accept.ToString();
        if (accept.Length > 0 && MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var types)
            && !types.Any(t => t.MediaType.Value is "*/*" or "application/*" or "application/json" || (t.MediaType.Value?.EndsWith("+json", StringComparison.Ordinal) ?? false)))
        {
            throw new ApiErrorException(new ApiError(406, ErrorCodes.NotAcceptable, $"This API answers application/json only, not '{Clip.Preview(accept)}'.", "Send Accept: application/json."));
        }

        if (body && !(MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && (type.MediaType.Value == "application/json" || (type.MediaType.Value?.EndsWith("+json", StringComparison.Ordinal) ?? false))))
        {
            throw new ApiErrorException(new ApiError(415, ErrorCodes.UnsupportedContentType, $"The body must be application/json, not '{Clip.Preview(request.ContentType)}'."));
        }
    }

    private static List<string> Destinations(string? raw, string name = "to")
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw Refuse(ErrorCodes.MissingRecipient, $"'{name}' is required: an array of numbers in international format.");
        }

        try
        {
            using var document = StrictJson.Parse(raw.TrimStart().StartsWith('[') ? raw : JsonSerializer.Serialize(new[] { raw }));
            var list = document.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Refuse(ErrorCodes.InvalidRecipients, $"Every entry of '{name}' must be a string.")).ToList();
            return list.Count is > 0 and <= LookupOptions.MaxNumbersPerRequest
                ? list
                : throw Refuse(ErrorCodes.InvalidRecipients, $"'{name}' holds 1 to {LookupOptions.MaxNumbersPerRequest} numbers.");
        }
        catch (JsonException)
        {
            throw Refuse(ErrorCodes.InvalidRecipients, $"'{name}' must be an array of numbers.");
        }
    }

    /// <summary>Its typed message as native fields, its content type and size limits checked by the URL's extension and the server's size.</summary>
    private async Task<Dictionary<string, string>> ContentAsync(string? raw, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw Refuse(ErrorCodes.MissingContent, "'message' is required: an object with its type (template, text, image, video, document, audio, location).");
        }

        if (!raw.TrimStart().StartsWith('{'))
        {
            return new(StringComparer.OrdinalIgnoreCase) { ["text"] = raw };
        }

        JsonDocument document;
        try
        {
            document = StrictJson.Parse(raw, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            throw Refuse(ErrorCodes.MalformedBody, "'message' is not valid JSON.");
        }

        using (document)
        {
            var m = document.RootElement;
            // Its table spells the text field "Text"; names are matched ignoring case.
            string? S(string name) => m.EnumerateObject().FirstOrDefault(p => p.NameEquals(name) || p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { Value.ValueKind: not JsonValueKind.Undefined } property ? property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                JsonValueKind.Array => property.Value.GetRawText(),
                _ => throw Refuse(ErrorCodes.InvalidField, $"message.{name} has the wrong type."),
            } : null;
            string Need(string name) => S(name) is { Length: > 0 } value ? value : throw Refuse(ErrorCodes.InvalidField, $"message.{name} is required for a {S("type")} message.");
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            switch (S("type")?.ToLowerInvariant())
            {
                case "text":
                    fields["text"] = Need("text");
                    break;
                case "template":
                    fields["template_name"] = Need("template_name");
                    fields["template_language"] = S("language") ?? "en";
                    if (S("params") is { } parameters)
                    {
                        fields["template_params"] = parameters;
                    }

                    break;
                case "image":
                    fields["file"] = await media.CheckAsync(Need("url"), "message.url", SmsGlobalMediaRules.Image, cancellationToken);
                    AddCaption(fields, S("caption"));
                    break;
                case "video":
                    fields["video"] = await media.CheckAsync(Need("url"), "message.url", SmsGlobalMediaRules.Video, cancellationToken);
                    AddCaption(fields, S("caption"));
                    break;
                case "document":
                    fields["document"] = await media.CheckAsync(Need("url"), "message.url", SmsGlobalMediaRules.Document, cancellationToken);
                    if (S("filename") is { Length: > 0 } filename)
                    {
                        fields["filename"] = filename;
                    }

                    AddCaption(fields, S("caption"));
                    break;
                case "audio":
                    fields["audio"] = await media.CheckAsync(Need("url"), "message.url", SmsGlobalMediaRules.Audio, cancellationToken);
                    break;
                case "location":
                    fields["latitude"] = Need("lat");
                    fields["longitude"] = Need("lng");
                    var label = string.Join(", ", new[] { S("name"), S("address") }.Where(s => !string.IsNullOrWhiteSpace(s)));
                    if (label.Length > 0)
                    {
                        fields["label"] = label;
                    }

                    break;
                case null:
                    throw Refuse(ErrorCodes.InvalidField, "message.type is required: template, text, image, video, document, audio or location.");
                case var other:
                    throw Refuse(ErrorCodes.InvalidField, $"message.type '{Clip.Preview(other)}' is not one of template, text, image, video, document, audio, location.");
            }

            return fields;
        }
    }

    private static void AddCaption(Dictionary<string, string> fields, string? caption)
    {
        if (!string.IsNullOrWhiteSpace(caption))
        {
            fields["text"] = caption;
        }
    }

    private static (int Offset, int Limit) Window(IQueryCollection q)
    {
        int Read(string name, int fallback, int min, int max) =>
            q[name].ToString() is { Length: > 0 } text
                ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max ? v : throw Refuse(ErrorCodes.InvalidQuery, $"{name} must be a whole number from {min} to {max}.")
                : fallback;
        var offset = Read("offset", 1, 1, MaxWindow);
        var limit = Read("limit", 20, 1, MaxLimit);
        return offset + limit <= MaxWindow ? (offset, limit) : throw Refuse(ErrorCodes.InvalidQuery, $"offset + limit is at most {MaxWindow}.");
    }

    /// <summary>Its dates: "Y-m-d H:i:s", read as UTC (accounts here have no time zone of their own).</summary>
    private static DateTimeOffset? Date(IQueryCollection q, string name) =>
        q[name].ToString() is { Length: > 0 } text
            ? DateTime.TryParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                ? new DateTimeOffset(at, TimeSpan.Zero)
                : throw Refuse(ErrorCodes.InvalidQuery, $"{name} must be Y-m-d H:i:s, for example 2026-12-01 00:00:00.")
            : null;

    private static bool Matches(MessageRecord m, string search) =>
        m.Recipient.Contains(search, StringComparison.Ordinal) || Summary(m.Content).Contains(search, StringComparison.OrdinalIgnoreCase);

    private static SmsGlobalOutgoing Outgoing(MessageRecord m, long id) => new(
        id,
        m.Recipient,
        m.Status.ToWire(),
        m.Status switch
        {
            MessageStatus.Queued or MessageStatus.Scheduled or MessageStatus.Sending => "pending",
            MessageStatus.Read => "delivered",
            var s => s.ToWire(),
        },
        Summary(m.Content),
        SmsGlobalShapes.Date(m.AcceptedAt));

    private static SmsGlobalIncoming Incoming(InboundMessageReceived m, long id, Dictionary<string, string?> phones) =>
        new(id, m.From, phones.GetValueOrDefault(m.SessionId) ?? m.SessionId, m.Text ?? string.Empty, SmsGlobalShapes.Date(m.At));

    private static string Summary(IReadOnlyDictionary<string, string> fields) =>
        fields.GetValueOrDefault("text") ?? fields.GetValueOrDefault("template_name") ?? fields.GetValueOrDefault("file") ?? fields.GetValueOrDefault("video") ?? fields.GetValueOrDefault("document") ?? fields.GetValueOrDefault("audio") ?? fields.GetValueOrDefault("label") ?? string.Empty;

    private static string Summary(MessageContent content) => content switch
    {
        TextContent t => t.Text,
        ImageContent i => i.Caption ?? i.Url.AbsoluteUri,
        VideoContent v => v.Caption ?? v.Url.AbsoluteUri,
        DocumentContent d => d.Caption ?? d.Filename ?? d.Url.AbsoluteUri,
        AudioContent a => a.Url.AbsoluteUri,
        LocationContent l => l.Label ?? string.Create(CultureInfo.InvariantCulture, $"{l.Latitude},{l.Longitude}"),
        TemplateContent t => t.Name,
        _ => content.Type.ToWire(),
    };

    private static ApiErrorException Refuse(string code, string message, string? hint = null) => new(ApiError.BadRequest(code, message, hint));
}
