using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Api.Lookups;
using WaServerless.Api.Sending;
using WaServerless.Api.Sessions;
using WaServerless.Api.Webhooks;
using WaServerless.Core.Accounts;
using WaServerless.Core.Errors;
using WaServerless.Core.Text;
using WaServerless.Core.Webhooks;
using WaServerless.Storage.Webhooks;

namespace WaServerless.Api.Compat.SmartWats;

/// <summary>
/// SmartWats' API under /api/smartwats, as a thin translation onto the native handlers: its
/// instance is a session (instance_id its id), its access_token a credential of the account (an API
/// key or an OAuth2 token), both taken from the JSON body or the query string as SmartWats takes them.
/// </summary>
public sealed class SmartWatsHandler(
    RequestFieldsReader reader,
    SendHandler send,
    SessionsHandler sessions,
    GroupsHandler groups,
    NumberChecksHandler numbers,
    WebhooksHandler webhooks,
    WebhookStore webhookStore)
{
    /// <summary>Its events, and what each is here: those with no counterpart are accepted and deliver nothing.</summary>
    private static readonly Dictionary<string, string?> Events = new(StringComparer.OrdinalIgnoreCase)
    {
        ["received_message"] = WebhookEventTypes.MessageInbound,
        ["messages.upsert"] = WebhookEventTypes.MessageInbound,
        ["messages.update"] = WebhookEventTypes.MessageStatus,
        ["capturer"] = WebhookEventTypes.SessionState,
        ["contacts.update"] = null,
        ["contacts.upsert"] = null,
        ["groups.update"] = null,
        ["new_subscriber"] = null,
    };

    public async Task<IActionResult> CreateInstanceAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["name"] = p.GetValueOrDefault("name") is { Length: > 0 } name ? name : "instance" };
        var answer = NativeAnswer.Of(await sessions.CreateAsync(fields, request.Caller(), cancellationToken));
        return answer.Succeeded
            ? SmartWatsShapes.Ok("Instance created: scan its QR code (get_qrcode) or ask for a pair code (get_paircode).", new { instance_id = answer.Data.GetProperty("id").GetString(), status = answer.Data.GetProperty("state").GetString() }, StatusCodes.Status201Created)
            : SmartWatsShapes.Error(answer);
    }

    public async Task<IActionResult> QrCodeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var answer = NativeAnswer.Of(await sessions.QrAsync(request, Instance(p), cancellationToken));
        return answer.Succeeded
            ? SmartWatsShapes.Ok("Scan this code with WhatsApp on the phone (Linked devices); it changes every 20 s.", new { qrcode = answer.Data.GetProperty("code").GetString(), expires_at = Text(answer.Data, "expires_at") })
            : SmartWatsShapes.Error(answer);
    }

    public async Task<IActionResult> PairCodeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var answer = NativeAnswer.Of(await sessions.PairCodeAsync(request, Instance(p), Required(p, "phone"), cancellationToken));
        return answer.Succeeded
            ? SmartWatsShapes.Ok(answer.Status == 200 ? "Enter this code on the phone: Linked devices, Link with phone number." : "The pair code is on its way: ask again in a few seconds.", new { paircode = Text(answer.Data, "code"), phone = Text(answer.Data, "phone") }, answer.Status)
            : SmartWatsShapes.Error(answer);
    }

    public async Task<IActionResult> LogoutAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var answer = NativeAnswer.Of(await sessions.LogoutAsync(request, Instance(p), cancellationToken));
        return answer.Succeeded ? SmartWatsShapes.Ok("Logging out: the session's link to WhatsApp is being removed.", new { instance_id = Instance(p) }) : SmartWatsShapes.Error(answer);
    }

    /// <summary>One webhook per instance: set replaces the instance's earlier one; enable=false removes it.</summary>
    public async Task<IActionResult> SetWebhookAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var caller = request.Caller();
        var instance = Instance(p);
        var enable = Required(p, "enable").ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            var other => throw Refuse(ErrorCodes.InvalidField, $"enable is true or false (or 1 or 0), not '{Clip.Preview(other)}'."),
        };
        var description = "smartwats:" + instance;
        foreach (var earlier in (await webhookStore.ListAsync(caller.Account.Id, cancellationToken)).Where(w => w.Description == description))
        {
            await webhookStore.DeleteAsync(caller.Account.Id, earlier.Id, cancellationToken);
        }

        if (!enable)
        {
            return SmartWatsShapes.Ok("Webhook disabled.", new { instance_id = instance, enabled = false });
        }

        var url = Required(p, "webhook_url");
        if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw Refuse(ErrorCodes.InvalidWebhookUrl, "webhook_url must use HTTPS.", "SmartWats sends to https URLs on public addresses only; so does this service.");
        }

        var events = EventsOf(p.GetValueOrDefault("allowed_events"));
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["url"] = url, ["events"] = string.Join(',', events), ["description"] = description };
        var answer = NativeAnswer.Of(await webhooks.CreateAsync(fields, caller, cancellationToken));
        return answer.Succeeded
            ? SmartWatsShapes.Ok("Webhook set.", new { instance_id = instance, enabled = true, webhook_url = url, events, secret = Text(answer.Data, "secret") })
            : SmartWatsShapes.Error(answer);
    }

    /// <summary>send: type text (message) or media (media_url, message as the caption, filename for a document).</summary>
    public async Task<IActionResult> SendAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var fields = Required(p, "type").ToLowerInvariant() switch
        {
            "text" => new Dictionary<string, string> { ["text"] = Required(p, "message") },
            "media" => Media(p),
            var other => throw Refuse(ErrorCodes.InvalidField, $"type is text or media, not '{Clip.Preview(other)}'.", "Send locations, contacts, audio, albums and carousels with their own endpoints."),
        };
        return await SendAsync(request, p, Required(p, "number"), fields, cancellationToken);
    }

    public async Task<IActionResult> SendLocationAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var label = string.Join(", ", new[] { p.GetValueOrDefault("name"), p.GetValueOrDefault("address") }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var fields = new Dictionary<string, string> { ["latitude"] = Required(p, "latitude"), ["longitude"] = Required(p, "longitude") };
        if (label.Length > 0)
        {
            fields["label"] = label;
        }

        return await SendAsync(request, p, Required(p, "number"), fields, cancellationToken);
    }

    public async Task<IActionResult> SendContactAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var phone = Required(p, "contact_phone");
        var fields = new Dictionary<string, string> { ["contact_name"] = Required(p, "contact_name"), ["contact_phone"] = phone.StartsWith('+') ? phone : "+" + phone };
        return await SendAsync(request, p, Required(p, "number"), fields, cancellationToken);
    }

    /// <summary>send_audio: ptt defaults to true here (a voice note), as SmartWats documents.</summary>
    public async Task<IActionResult> SendAudioAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var fields = new Dictionary<string, string> { ["audio"] = Required(p, "audio_url"), ["ptt"] = p.GetValueOrDefault("ptt") is { Length: > 0 } ptt ? ptt : "true" };
        return await SendAsync(request, p, Required(p, "number"), fields, cancellationToken);
    }

    public async Task<IActionResult> SendAlbumAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var fields = new Dictionary<string, string> { ["album"] = Required(p, "album") };
        if (p.GetValueOrDefault("caption") is { Length: > 0 } caption)
        {
            fields["caption"] = caption;
        }

        return await SendAsync(request, p, Required(p, "number"), fields, cancellationToken);
    }

    public async Task<IActionResult> SendCarouselAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var fields = new Dictionary<string, string>();
        foreach (var name in new[] { "cards", "templateCarousel", "text", "title", "footer" })
        {
            if (p.GetValueOrDefault(name) is { Length: > 0 } value)
            {
                fields[name] = value;
            }
        }

        if (!fields.ContainsKey("cards") && !fields.ContainsKey("templateCarousel"))
        {
            throw Refuse(ErrorCodes.InvalidCarousel, "A carousel needs its cards, in 'cards' or 'templateCarousel'.");
        }

        return await SendAsync(request, p, Required(p, "number"), fields, cancellationToken);
    }

    /// <summary>send_group: a group id as the recipient; text and media as send, and the native fields of buttons, lists and polls as they are.</summary>
    public async Task<IActionResult> SendGroupAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var group = Required(p, "group_id");
        if (!group.EndsWith("@g.us", StringComparison.Ordinal))
        {
            throw Refuse(ErrorCodes.InvalidRecipient, $"group_id must be a group id such as 1234567890@g.us, not '{Clip.Preview(group)}'.", "List them with get_groups.");
        }

        var type = Required(p, "type").ToLowerInvariant();
        var fields = type switch
        {
            "text" => new Dictionary<string, string> { ["text"] = Required(p, "message") },
            "media" => Media(p),
            "button" or "list" or "poll" => Native(p, type),
            _ => throw Refuse(ErrorCodes.InvalidField, $"type is text, media, button, list or poll, not '{Clip.Preview(type)}'."),
        };
        return await SendAsync(request, p, group, fields, cancellationToken);
    }

    public async Task<IActionResult> GroupsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var answer = NativeAnswer.Of(await groups.ListAsync(request.Caller(), Instance(p), refresh: false, cancellationToken));
        return answer.Succeeded
            ? SmartWatsShapes.Ok("Groups of the instance.", answer.Data.GetProperty("groups").EnumerateArray().Select(g => new { id = g.GetProperty("id").GetString(), name = g.GetProperty("name").GetString(), participants = g.GetProperty("participants").GetInt32() }).ToList(), answer.Status)
            : SmartWatsShapes.Error(answer);
    }

    public async Task<IActionResult> CheckPhoneAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        return await CheckAsync(request, Instance(p), [Required(p, "phone")], single: true, cancellationToken);
    }

    public async Task<IActionResult> CheckPhonesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var p = await ParametersAsync(request, cancellationToken);
        var raw = Required(p, "phones");
        List<string> phones;
        try
        {
            using var document = StrictJson.Parse(raw);
            phones = document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                ? [.. document.RootElement.EnumerateArray().Select(e => e.GetString()!)]
                : throw Refuse(ErrorCodes.InvalidRecipients, "phones must be an array of phone numbers (strings).");
        }
        catch (JsonException)
        {
            throw Refuse(ErrorCodes.InvalidRecipients, "phones must be an array of phone numbers, for example [\"9665XXXXXXX\", \"9665YYYYYYY\"].");
        }

        if (phones.Count is 0 or > LookupOptions.MaxNumbersPerRequest)
        {
            throw Refuse(ErrorCodes.InvalidRecipients, $"phones holds 1 to {LookupOptions.MaxNumbersPerRequest} numbers; this one has {phones.Count}.");
        }

        return await CheckAsync(request, Instance(p), phones, single: false, cancellationToken);
    }

    private async Task<IActionResult> CheckAsync(HttpRequest request, string instance, IReadOnlyList<string> phones, bool single, CancellationToken cancellationToken)
    {
        // Its numbers come without "+": the country code first, as everywhere in SmartWats.
        var (refusal, results) = await numbers.CheckAsync(request.Caller(), instance, [.. phones.Select(Plus)], cancellationToken);
        if (refusal is not null)
        {
            return SmartWatsShapes.Error(NativeAnswer.Of(refusal));
        }

        var views = results.Select(r => new { phone = r.Number.TrimStart('+'), exists = r.Exists, wa_id = r.WaId, status = r.Status }).ToList();
        var pending = results.Any(r => r.Status == "pending");
        return SmartWatsShapes.Ok(pending ? "Some numbers are still being checked: ask again in a few seconds." : "Checked.", single ? views[0] : views, pending ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
    }

    private async Task<IActionResult> SendAsync(HttpRequest request, Dictionary<string, string> p, string number, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        fields["recipient"] = Recipient(number);
        fields["session"] = Instance(p);
        var answer = NativeAnswer.Of(await send.SendAsync(fields, request.Caller(), cancellationToken));
        return answer.Succeeded
            ? SmartWatsShapes.Ok("Message queued.", new { message_id = answer.Data.GetProperty("queue_id").GetString(), number = number, type = answer.Data.GetProperty("message_type").GetString(), status = "queued" })
            : SmartWatsShapes.Error(answer);
    }

    private static Dictionary<string, string> Media(Dictionary<string, string> p)
    {
        var url = Required(p, "media_url");
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var extension = Path.GetExtension(Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.AbsolutePath : url).TrimStart('.').ToLowerInvariant();
        var kind = extension switch
        {
            "jpg" or "jpeg" or "png" or "webp" or "gif" => "file",
            "mp4" or "3gp" or "mov" or "webm" => "video",
            "mp3" or "ogg" or "opus" or "aac" or "wav" or "m4a" => "audio",
            _ => p.ContainsKey("filename") ? "document" : "file",
        };
        fields[kind] = url;
        if (kind == "document")
        {
            fields["filename"] = p["filename"];
        }

        if (kind != "audio" && p.GetValueOrDefault("message") is { Length: > 0 } caption)
        {
            fields["text"] = caption;
        }

        return fields;
    }

    /// <summary>button, list and poll in a group: the native fields of that type as the request gives them (button1.., list_*, poll_*), the message as its text or question.</summary>
    private static Dictionary<string, string> Native(Dictionary<string, string> p, string type)
    {
        var prefixes = type switch
        {
            "button" => new[] { "button", "footer" },
            "list" => ["list_", "footer"],
            _ => ["poll_"],
        };
        var fields = p.Where(kv => prefixes.Any(prefix => kv.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        fields[type == "poll" ? "poll_question" : "text"] = type == "poll" && fields.TryGetValue("poll_question", out var q) ? q : Required(p, "message");
        return fields;
    }

    /// <summary>Its numbers: digits with the country code, or a WhatsApp id with @s.whatsapp.net (its carousel example), or a group id.</summary>
    private static string Recipient(string number)
    {
        var trimmed = number.Trim();
        if (trimmed.EndsWith("@s.whatsapp.net", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^"@s.whatsapp.net".Length];
        }

        return trimmed.EndsWith("@g.us", StringComparison.Ordinal) ? trimmed : Plus(trimmed);
    }

    private static string Plus(string number) => number.StartsWith('+') ? number : "+" + number;

    private static List<string> EventsOf(string? allowed)
    {
        if (string.IsNullOrWhiteSpace(allowed))
        {
            return [WebhookEventTypes.All];
        }

        IEnumerable<string> names;
        if (allowed.TrimStart().StartsWith('['))
        {
            try
            {
                using var document = StrictJson.Parse(allowed);
                names = [.. document.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Refuse(ErrorCodes.InvalidWebhookEvent, "allowed_events holds event names (strings)."))];
            }
            catch (JsonException)
            {
                throw Refuse(ErrorCodes.InvalidWebhookEvent, "allowed_events is a comma-separated list or a JSON array of event names.");
            }
        }
        else
        {
            names = allowed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        }

        var ours = new List<string>();
        foreach (var name in names)
        {
            if (!Events.TryGetValue(name, out var mapped))
            {
                throw Refuse(ErrorCodes.InvalidWebhookEvent, $"Unknown event '{Clip.Preview(name)}'.", "One of: " + string.Join(", ", Events.Keys) + ".");
            }

            if (mapped is not null && !ours.Contains(mapped))
            {
                ours.Add(mapped);
            }
        }

        return ours.Count > 0
            ? ours
            : throw Refuse(ErrorCodes.InvalidWebhookEvent, "None of these events has a counterpart here: contacts and groups changes are not delivered.", "Subscribe to received_message, messages.update or capturer.");
    }

    private Task<Dictionary<string, string>> ParametersAsync(HttpRequest request, CancellationToken cancellationToken) =>
        SurfaceParameters.ReadAsync(reader, request, cancellationToken);

    private static string Instance(Dictionary<string, string> p) => Required(p, "instance_id");

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Required(Dictionary<string, string> p, string name) =>
        p.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : throw Refuse(ErrorCodes.InvalidField, $"'{name}' is required.");

    private static ApiErrorException Refuse(string code, string message, string? hint = null) => new(ApiError.BadRequest(code, message, hint));
}
