using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;

namespace WaServerless.Engines.CloudApi;

/// <summary>
/// Turns engine-neutral message content into the body of POST /{version}/{phone-number-id}/messages,
/// in the shapes Meta documents for each message type.
/// </summary>
public static partial class CloudApiMessageBuilder
{
    /// <summary>Longest biz_opaque_callback_data Meta accepts.</summary>
    private const int CallbackDataMaxLength = 512;

    /// <summary>
    /// The request body for one message. <paramref name="recipient"/> is E.164 ("+15551234567");
    /// <paramref name="messageId"/> rides along as biz_opaque_callback_data, so status webhooks can be
    /// traced back to our message even before the wamid is recorded.
    /// </summary>
    /// <exception cref="CloudApiConfigurationException">A copy-code message without a configured authentication template.</exception>
    public static JsonObject Build(string recipient, string messageId, MessageContent content, CloudApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);

        (string Type, JsonNode Payload) part = content switch
        {
            TextContent text => ("text", Text(text)),
            ImageContent image => ("image", Media(image.Url, image.Caption, null)),
            DocumentContent document => ("document", Media(document.Url, document.Caption, document.Filename)),
            VideoContent video => ("video", Media(video.Url, video.Caption, null)),
            AudioContent audio => ("audio", Media(audio.Url, null, null)),
            LocationContent location => ("location", Location(location)),
            ContactContent contact => ("contacts", Contacts(contact)),
            ButtonsContent buttons => ("interactive", Buttons(buttons)),
            ListContent list => ("interactive", List(list)),
            CopyCodeContent copyCode => ("template", CopyCode(copyCode, options)),
            TemplateContent template => ("template", Template(template)),
            PollContent => throw new CloudApiConfigurationException("Meta's Cloud API has no polls; send them from a waha session."),
            CallToActionContent { Call: not null } => throw new CloudApiConfigurationException("Meta's Cloud API has no button that calls a phone number; send call buttons from a waha session."),
            CallToActionContent action => ("interactive", CallToActionUrl(action)),
            CarouselContent carousel => ("interactive", Carousel(carousel)),
            AlbumContent => throw new CloudApiConfigurationException("An album goes to the Cloud API as its media messages one by one, never as one message."),
            _ => throw new ArgumentOutOfRangeException(nameof(content), content.GetType().Name, "Unknown message content."),
        };

        var (type, payload) = part;
        var body = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            ["to"] = WaId(recipient),
            ["type"] = type,
            [type] = payload,
        };
        if (!string.IsNullOrEmpty(messageId) && messageId.Length <= CallbackDataMaxLength)
        {
            body["biz_opaque_callback_data"] = messageId;
        }

        return body;
    }

    /// <summary>WhatsApp ids are the E.164 digits without the plus.</summary>
    public static string WaId(string e164) => e164.TrimStart('+');

    private static JsonObject Text(TextContent text) => new()
    {
        // Without preview_url WhatsApp shows a link as plain text; ask for the preview only when there is one.
        ["preview_url"] = UrlPattern().IsMatch(text.Text),
        ["body"] = text.Text,
    };

    private static JsonObject Media(Uri url, string? caption, string? filename)
    {
        var media = new JsonObject { ["link"] = url.AbsoluteUri };
        if (!string.IsNullOrEmpty(caption))
        {
            media["caption"] = caption;
        }

        if (!string.IsNullOrEmpty(filename))
        {
            media["filename"] = filename;
        }

        return media;
    }

    private static JsonObject Location(LocationContent location)
    {
        var payload = new JsonObject
        {
            ["latitude"] = location.Latitude,
            ["longitude"] = location.Longitude,
        };
        if (!string.IsNullOrEmpty(location.Label))
        {
            payload["name"] = location.Label;
        }

        return payload;
    }

    private static JsonArray Contacts(ContactContent contact)
    {
        // Meta wants formatted_name plus at least one structured part; split off the first word as
        // first_name and keep the rest as last_name. The card shows formatted_name either way.
        var trimmed = contact.Name.Trim();
        var space = trimmed.IndexOfAny([' ', '\t']);
        var name = new JsonObject
        {
            ["formatted_name"] = trimmed,
            ["first_name"] = space < 0 ? trimmed : trimmed[..space],
        };
        if (space >= 0)
        {
            name["last_name"] = trimmed[(space + 1)..].Trim();
        }

        return
        [
            new JsonObject
            {
                ["name"] = name,
                ["phones"] = new JsonArray
                {
                    // wa_id makes the card's "Message" button open a chat with that number.
                    new JsonObject { ["phone"] = contact.Phone, ["type"] = "CELL", ["wa_id"] = WaId(contact.Phone) },
                },
            },
        ];
    }

    private static JsonObject Buttons(ButtonsContent buttons)
    {
        var replies = new JsonArray();
        foreach (var button in buttons.Buttons)
        {
            replies.Add(new JsonObject
            {
                ["type"] = "reply",
                ["reply"] = new JsonObject { ["id"] = button.Id, ["title"] = button.Title },
            });
        }

        var interactive = new JsonObject
        {
            ["type"] = "button",
            ["body"] = new JsonObject { ["text"] = buttons.Body },
        };
        AddFooter(interactive, buttons.Footer);
        interactive["action"] = new JsonObject { ["buttons"] = replies };
        return interactive;
    }

    /// <summary>Meta's interactive cta_url: the body, an optional footer and one button that opens the URL.</summary>
    private static JsonObject CallToActionUrl(CallToActionContent action)
    {
        var button = action.Url ?? throw new ArgumentException("A URL button message without its URL button.", nameof(action));
        var interactive = new JsonObject
        {
            ["type"] = "cta_url",
            ["body"] = new JsonObject { ["text"] = action.Text },
        };
        AddFooter(interactive, action.Footer);
        interactive["action"] = new JsonObject
        {
            ["name"] = "cta_url",
            ["parameters"] = new JsonObject { ["display_text"] = button.Label, ["url"] = button.Url.OriginalString },
        };
        return interactive;
    }

    /// <summary>
    /// Meta's interactive carousel: the body text, then cards of an image header, a body (the card's
    /// title in bold, its body and footer) and either one cta_url button or quick-reply buttons.
    /// The API refused every carousel outside those rules at accept time (<see cref="MetaCarouselRules"/>).
    /// </summary>
    private static JsonObject Carousel(CarouselContent carousel)
    {
        if (MetaCarouselRules.Refusal(carousel) is { } why)
        {
            throw new CloudApiConfigurationException($"The Cloud API {why}.");
        }

        var cards = new JsonArray();
        for (var i = 0; i < carousel.Cards.Count; i++)
        {
            var card = carousel.Cards[i];
            var json = new JsonObject
            {
                ["card_index"] = i,
                ["type"] = card.Buttons[0].Kind == CarouselButtonKind.Url ? "cta_url" : "button",
                ["header"] = new JsonObject { ["type"] = "image", ["image"] = new JsonObject { ["link"] = card.Image.OriginalString } },
                ["body"] = new JsonObject { ["text"] = MetaCarouselRules.CardBody(card) },
            };
            json["action"] = card.Buttons[0].Kind == CarouselButtonKind.Url
                ? new JsonObject
                {
                    ["name"] = "cta_url",
                    ["parameters"] = new JsonObject { ["display_text"] = card.Buttons[0].Label, ["url"] = card.Buttons[0].Value },
                }
                : new JsonObject
                {
                    ["buttons"] = new JsonArray(card.Buttons.Select(b => (JsonNode)new JsonObject
                    {
                        ["type"] = "quick_reply",
                        ["quick_reply"] = new JsonObject { ["id"] = b.Value, ["title"] = b.Label },
                    }).ToArray()),
                };
            cards.Add(json);
        }

        return new JsonObject
        {
            ["type"] = "carousel",
            ["body"] = new JsonObject { ["text"] = carousel.Text },
            ["action"] = new JsonObject { ["cards"] = cards },
        };
    }

    private static JsonObject List(ListContent list)
    {
        var sections = new JsonArray();
        foreach (var section in list.Sections)
        {
            var rows = new JsonArray();
            foreach (var row in section.Rows)
            {
                var item = new JsonObject { ["id"] = row.RowId, ["title"] = row.Title };
                if (!string.IsNullOrEmpty(row.Description))
                {
                    item["description"] = row.Description;
                }

                rows.Add(item);
            }

            var entry = new JsonObject();
            if (!string.IsNullOrEmpty(section.Title))
            {
                entry["title"] = section.Title;
            }

            entry["rows"] = rows;
            sections.Add(entry);
        }

        var interactive = new JsonObject
        {
            ["type"] = "list",
            ["header"] = new JsonObject { ["type"] = "text", ["text"] = list.Title },
            ["body"] = new JsonObject { ["text"] = list.Body },
        };
        AddFooter(interactive, list.Footer);
        interactive["action"] = new JsonObject { ["button"] = list.ButtonText, ["sections"] = sections };
        return interactive;
    }

    private static JsonObject CopyCode(CopyCodeContent copyCode, CloudApiOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CopyCodeTemplateName))
        {
            throw new CloudApiConfigurationException(
                "copy_code needs an approved authentication template: set CloudApi:CopyCodeTemplateName.");
        }

        // An authentication template's text is fixed by Meta ("<code> is your verification code."), so
        // CopyCodeContent.Text has nowhere to go. The code fills the body's one parameter and, again,
        // the copy-code button, which Meta models as a URL button at index 0.
        return new JsonObject
        {
            ["name"] = options.CopyCodeTemplateName,
            ["language"] = new JsonObject { ["code"] = options.CopyCodeTemplateLanguage },
            ["components"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "body",
                    ["parameters"] = new JsonArray { TextParameter(copyCode.Code) },
                },
                new JsonObject
                {
                    ["type"] = "button",
                    ["sub_type"] = "url",
                    ["index"] = "0",
                    ["parameters"] = new JsonArray { TextParameter(copyCode.Code) },
                },
            },
        };
    }

    private static JsonObject Template(TemplateContent template)
    {
        var components = new JsonArray();
        if (template.Header is { } header)
        {
            components.Add(new JsonObject
            {
                ["type"] = "header",
                ["parameters"] = new JsonArray { HeaderParameter(header) },
            });
        }

        if (template.BodyParameters.Count > 0)
        {
            var parameters = new JsonArray();
            foreach (var value in template.BodyParameters)
            {
                parameters.Add(TextParameter(value));
            }

            components.Add(new JsonObject { ["type"] = "body", ["parameters"] = parameters });
        }

        foreach (var button in template.Buttons.OrderBy(b => b.Index))
        {
            components.Add(new JsonObject
            {
                ["type"] = "button",
                ["sub_type"] = button.Kind == TemplateButtonKind.QuickReply ? "quick_reply" : "url",
                // Meta takes the index as a string.
                ["index"] = button.Index.ToString(CultureInfo.InvariantCulture),
                ["parameters"] = new JsonArray
                {
                    button.Kind == TemplateButtonKind.QuickReply
                        ? new JsonObject { ["type"] = "payload", ["payload"] = button.Value }
                        : TextParameter(button.Value),
                },
            });
        }

        var payload = new JsonObject
        {
            ["name"] = template.Name,
            ["language"] = new JsonObject { ["code"] = template.Language },
        };

        // A template without parameters is sent by name and language alone.
        if (components.Count > 0)
        {
            payload["components"] = components;
        }

        return payload;
    }

    private static JsonObject HeaderParameter(TemplateHeader header)
    {
        if (header.Kind == TemplateHeaderKind.Text)
        {
            return TextParameter(header.Text ?? string.Empty);
        }

        var type = header.Kind switch
        {
            TemplateHeaderKind.Image => "image",
            TemplateHeaderKind.Document => "document",
            TemplateHeaderKind.Video => "video",
            _ => throw new ArgumentOutOfRangeException(nameof(header), header.Kind, "Unknown template header."),
        };
        return new JsonObject
        {
            ["type"] = type,
            [type] = new JsonObject { ["link"] = header.Url?.AbsoluteUri },
        };
    }

    private static JsonObject TextParameter(string text) => new() { ["type"] = "text", ["text"] = text };

    private static void AddFooter(JsonObject interactive, string? footer)
    {
        if (!string.IsNullOrEmpty(footer))
        {
            interactive["footer"] = new JsonObject { ["text"] = footer };
        }
    }

    [GeneratedRegex(@"https?://\S", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlPattern();
}

/// <summary>The engine was asked for something its configuration cannot do; retrying will not help.</summary>
public sealed class CloudApiConfigurationException(string message) : Exception(message);
