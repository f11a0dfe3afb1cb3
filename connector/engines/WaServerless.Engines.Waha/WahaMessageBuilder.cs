using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;

namespace WaServerless.Engines.Waha;

/// <summary>One WAHA send: the route under /api and its JSON body.</summary>
public sealed record WahaSend(string Path, JsonObject Body);

/// <summary>
/// Maps our message model onto WAHA's send routes. Media go as data the connector fetched (base64
/// in file.data), never as the caller's URL. Reply and copy-code buttons, which WhatsApp Web does
/// not render, go in the configured fallback form; Meta templates cannot be sent at all.
/// </summary>
public static class WahaMessageBuilder
{
    public static WahaSend Build(string session, string chatId, MessageContent content, FetchedMedia? media, ButtonsFallback fallback)
    {
        ArgumentNullException.ThrowIfNull(content);
        var body = new JsonObject { ["session"] = session, ["chatId"] = chatId };
        switch (content)
        {
            case TextContent text:
                body["text"] = text.Text;
                body["linkPreview"] = true;
                return new("api/sendText", body);
            case ImageContent image:
                body["file"] = File(Need(media), null);
                AddCaption(body, image.Caption);
                return new("api/sendImage", body);
            case DocumentContent document:
                body["file"] = File(Need(media), document.Filename);
                AddCaption(body, document.Caption);
                return new("api/sendFile", body);
            case VideoContent video:
                body["file"] = File(Need(media), null);
                AddCaption(body, video.Caption);
                body["asNote"] = false;
                body["convert"] = false;
                return new("api/sendVideo", body);
            case AudioContent { Ptt: true }:
                // A voice note: WAHA converts it to the Opus-in-OGG WhatsApp plays as one; it has no file name.
                body["file"] = File(Need(media), null, named: false);
                body["convert"] = true;
                return new("api/sendVoice", body);
            case AudioContent:
                // An audio file, shown as a file to play.
                body["file"] = File(Need(media), null);
                return new("api/sendFile", body);
            case LocationContent location:
                body["latitude"] = location.Latitude;
                body["longitude"] = location.Longitude;
                body["title"] = location.Label ?? "";
                return new("api/sendLocation", body);
            case ContactContent contact:
                var digits = new string(contact.Phone.Where(char.IsAsciiDigit).ToArray());
                body["contacts"] = new JsonArray(new JsonObject
                {
                    ["fullName"] = contact.Name,
                    ["phoneNumber"] = contact.Phone,
                    ["whatsappId"] = digits,
                });
                return new("api/sendContactVcard", body);
            case ListContent list:
                body["message"] = new JsonObject
                {
                    ["title"] = list.Title,
                    ["description"] = list.Body,
                    ["footer"] = list.Footer ?? "",
                    ["button"] = list.ButtonText,
                    ["sections"] = new JsonArray(list.Sections.Select(s => (JsonNode)new JsonObject
                    {
                        ["title"] = s.Title ?? "",
                        ["rows"] = new JsonArray(s.Rows.Select(r => (JsonNode)new JsonObject
                        {
                            ["title"] = r.Title,
                            ["rowId"] = r.RowId,
                            ["description"] = r.Description,
                        }).ToArray()),
                    }).ToArray()),
                };
                return new("api/sendList", body);
            case PollContent poll:
                body["poll"] = new JsonObject
                {
                    ["name"] = poll.Question,
                    ["options"] = new JsonArray(poll.Options.Select(o => (JsonNode)JsonValue.Create(o)!).ToArray()),
                    ["multipleAnswers"] = poll.MultipleAnswers,
                };
                return new("api/sendPoll", body);
            case ButtonsContent buttons when fallback == ButtonsFallback.Poll:
                body["poll"] = new JsonObject
                {
                    ["name"] = buttons.Body,
                    ["options"] = new JsonArray(buttons.Buttons.Select(b => (JsonNode)JsonValue.Create(b.Title)!).ToArray()),
                    ["multipleAnswers"] = false,
                };
                return new("api/sendPoll", body);
            case ButtonsContent buttons when fallback == ButtonsFallback.NumberedText:
                body["text"] = NumberedText(buttons);
                body["linkPreview"] = false;
                return new("api/sendText", body);
            case CopyCodeContent copy when fallback != ButtonsFallback.Refuse:
                body["text"] = string.IsNullOrWhiteSpace(copy.Text) ? copy.Code : copy.Text.TrimEnd() + "\n\n" + copy.Code;
                body["linkPreview"] = false;
                return new("api/sendText", body);
            case ButtonsContent or CopyCodeContent:
                throw EngineCapabilityException.For(EngineNames.Waha, "send buttons with Waha:ButtonsFallback=Refuse");
            case CallToActionContent action:
                // WhatsApp Web shows no URL or call buttons; written out under the text, the link and the
                // number are still one tap away, so this needs no fallback setting.
                body["text"] = ActionText(action);
                body["linkPreview"] = false;
                return new("api/sendText", body);
            case TemplateContent:
                throw EngineCapabilityException.For(EngineNames.Waha, "send Meta templates (they exist only on the Cloud API)");
            default:
                throw EngineCapabilityException.For(EngineNames.Waha, $"send {content.Type.ToWire()} messages");
        }
    }

    /// <summary>"Pick a slot\n\n1. Morning\n2. Evening\n\nReply with a number" (the footer, when there is one, last).</summary>
    public static string NumberedText(ButtonsContent buttons)
    {
        ArgumentNullException.ThrowIfNull(buttons);
        var text = new StringBuilder(buttons.Body.TrimEnd()).Append("\n\n");
        for (var i = 0; i < buttons.Buttons.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i + 1}. {buttons.Buttons[i].Title}\n");
        }

        if (!string.IsNullOrWhiteSpace(buttons.Footer))
        {
            text.Append('\n').Append(buttons.Footer.Trim());
        }

        return text.ToString().TrimEnd('\n');
    }

    /// <summary>"Your order has shipped\n\nTrack: https://…\nCall us: +1415…" (the footer, when there is one, last).</summary>
    public static string ActionText(CallToActionContent action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var text = new StringBuilder(action.Text.TrimEnd()).Append("\n\n");
        if (action.Url is { } url)
        {
            text.Append(url.Label).Append(": ").Append(url.Url.OriginalString).Append('\n');
        }

        if (action.Call is { } call)
        {
            text.Append(call.Label).Append(": ").Append(call.Phone).Append('\n');
        }

        if (!string.IsNullOrWhiteSpace(action.Footer))
        {
            text.Append('\n').Append(action.Footer.Trim());
        }

        return text.ToString().TrimEnd('\n');
    }

    private static FetchedMedia Need(FetchedMedia? media) =>
        media ?? throw new ArgumentException("This message's media must be fetched before it is built.", nameof(media));

    // WAHA's BinaryFile: {mimetype, filename?, data}; a voice note has no name.
    private static JsonObject File(FetchedMedia media, string? filename, bool named = true)
    {
        var file = new JsonObject { ["mimetype"] = media.ContentType };
        if (named)
        {
            file["filename"] = filename ?? media.FileName ?? DefaultName(media.ContentType);
        }

        file["data"] = Convert.ToBase64String(media.Content.Span);
        return file;
    }

    private static string DefaultName(string contentType) => contentType switch
    {
        "image/jpeg" => "image.jpg",
        "image/png" => "image.png",
        "video/mp4" => "video.mp4",
        "video/3gpp" => "video.3gp",
        "audio/mpeg" => "audio.mp3",
        "audio/ogg" or "audio/opus" => "audio.ogg",
        "application/pdf" => "document.pdf",
        _ => "file",
    };

    private static void AddCaption(JsonObject body, string? caption)
    {
        if (!string.IsNullOrEmpty(caption))
        {
            body["caption"] = caption;
        }
    }
}
