using System.Text.Json;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Text;

namespace WaServerless.Core.Sending;

/// <summary>Albums and carousels: the two message types whose parts arrive as a JSON array in one field.</summary>
public static partial class SendRequestParser
{
    private const string AlbumExample = """album=[{"type":"image","url":"https://example.com/1.jpg"},{"type":"video","url":"https://example.com/2.mp4"}]""";

    private const string CarouselExample = """cards=[{"title":"Product 1","body":"Great features","image":"https://example.com/p1.jpg","buttons":[{"urlButton":{"displayText":"Buy Now","url":"https://shop.example.com/p1"}}]}]""";

    private static readonly string[] CarouselFields = ["cards", "templateCarousel"];

    private static AlbumContent ParseAlbum(Fields f)
    {
        var caption = f.Get("caption");
        var text = f.Get("text");
        if (caption is not null && text is not null && caption != text)
        {
            throw Fail(ErrorCodes.ConflictingMessageTypes, "An album has one caption: give 'caption' or 'text', not both.", "For example caption=Photos from our event.");
        }

        caption = caption ?? text;
        if (caption is not null)
        {
            Limit(caption, WhatsAppLimits.CaptionMaxLength, "caption");
        }

        using var document = JsonArrayField(f.Get("album")!, "album", ErrorCodes.InvalidAlbum, AlbumExample);
        var array = document.RootElement;
        if (array.GetArrayLength() is 0 or > WhatsAppLimits.AlbumMaxItems)
        {
            throw Fail(ErrorCodes.InvalidAlbum, $"An album has 1 to {WhatsAppLimits.AlbumMaxItems} items; this one has {array.GetArrayLength()}.", AlbumExample);
        }

        var items = new List<AlbumItem>();
        foreach (var element in array.EnumerateArray())
        {
            var where = $"album item {items.Count + 1}";
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Fail(ErrorCodes.InvalidAlbum, $"{Capitalise(where)} must be an object with 'type' and 'url'.", AlbumExample);
            }

            var kind = JsonString(element, "type", where, ErrorCodes.InvalidAlbum)?.ToLowerInvariant() switch
            {
                "image" => AlbumItemKind.Image,
                "video" => AlbumItemKind.Video,
                null => throw Fail(ErrorCodes.InvalidAlbum, $"{Capitalise(where)} has no 'type': give image or video.", AlbumExample),
                var other => throw Fail(ErrorCodes.InvalidAlbum, $"{Capitalise(where)} has type '{Clip.Preview(other)}'; an album holds image and video items only.", AlbumExample),
            };
            var url = JsonString(element, "url", where, ErrorCodes.InvalidAlbum)
                ?? throw Fail(ErrorCodes.InvalidAlbum, $"{Capitalise(where)} has no 'url'.", AlbumExample);
            items.Add(new AlbumItem(kind, MediaUrl(url, $"{where} url")));
        }

        return new AlbumContent(items, caption);
    }

    private static CarouselContent ParseCarousel(Fields f)
    {
        var given = CarouselFields.Where(f.Has).ToList();
        if (given.Count > 1)
        {
            throw Fail(ErrorCodes.InvalidCarousel, "Give the cards once: 'cards' or 'templateCarousel', not both.", CarouselExample);
        }

        var text = f.Get("text");
        if (text is not null)
        {
            Limit(text, WhatsAppLimits.InteractiveBodyMaxLength, "text");
        }

        var title = f.Get("title");
        if (title is not null)
        {
            Limit(title, WhatsAppLimits.ListHeaderMaxLength, "title");
        }

        using var document = JsonArrayField(f.Get(given[0])!, given[0], ErrorCodes.InvalidCarousel, CarouselExample);
        var array = document.RootElement;
        if (array.GetArrayLength() is 0 or > WhatsAppLimits.CarouselMaxCards)
        {
            throw Fail(ErrorCodes.InvalidCarousel, $"A carousel has 1 to {WhatsAppLimits.CarouselMaxCards} cards; this one has {array.GetArrayLength()}.", CarouselExample);
        }

        var cards = new List<CarouselCard>();
        var replyIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var element in array.EnumerateArray())
        {
            cards.Add(ParseCard(element, $"card {cards.Count + 1}", replyIds));
        }

        return new CarouselContent(text, title, Footer(f), cards);
    }

    private static CarouselCard ParseCard(JsonElement card, string where, HashSet<string> replyIds)
    {
        if (card.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ErrorCodes.InvalidCarousel, $"{Capitalise(where)} must be an object with title, body, image and buttons.", CarouselExample);
        }

        var title = CardText(card, "title", where, WhatsAppLimits.CarouselCardTitleMaxLength, required: true)!;
        var body = CardText(card, "body", where, WhatsAppLimits.CarouselCardBodyMaxLength, required: true)!;
        var footer = CardText(card, "footer", where, WhatsAppLimits.FooterMaxLength, required: false);

        // SmartWats gives the image as a URL or as {"url": ...}; both are taken.
        string? imageText = null;
        if (card.TryGetProperty("image", out var image))
        {
            imageText = image.ValueKind switch
            {
                JsonValueKind.String => image.GetString(),
                JsonValueKind.Object => JsonString(image, "url", $"{where} image", ErrorCodes.InvalidCarousel),
                _ => null,
            };
        }

        if (string.IsNullOrWhiteSpace(imageText))
        {
            throw Fail(ErrorCodes.InvalidCarousel, $"{Capitalise(where)} needs an 'image': a URL, or an object with 'url'.", CarouselExample);
        }

        var imageUrl = HttpUrl(imageText.Trim(), WhatsAppLimits.MediaUrlMaxLength)
            ?? throw Fail(ErrorCodes.InvalidMediaUrl, $"The image of {where} must be an absolute http or https URL.", "For example https://example.com/product1.jpg.");

        if (!card.TryGetProperty("buttons", out var buttons) || buttons.ValueKind != JsonValueKind.Array
            || buttons.GetArrayLength() is 0 or > WhatsAppLimits.CarouselCardMaxButtons)
        {
            throw Fail(ErrorCodes.InvalidCarousel, $"{Capitalise(where)} needs 'buttons': an array of 1 to {WhatsAppLimits.CarouselCardMaxButtons} buttons.", CarouselExample);
        }

        var parsed = new List<CarouselButton>();
        foreach (var button in buttons.EnumerateArray())
        {
            parsed.Add(ParseCardButton(button, $"button {parsed.Count + 1} of {where}", replyIds));
        }

        return new CarouselCard(imageUrl, title, body, footer, parsed);
    }

    private static CarouselButton ParseCardButton(JsonElement button, string where, HashSet<string> replyIds)
    {
        const string Kinds = "urlButton {displayText, url}, copyButton {displayText, copyCode}, callButton {displayText, phoneNumber} or quickReplyButton {displayText, id}";
        if (button.ValueKind != JsonValueKind.Object || button.EnumerateObject().Count() != 1)
        {
            throw Fail(ErrorCodes.InvalidCarousel, $"{Capitalise(where)} must be an object with exactly one of {Kinds}.");
        }

        var property = button.EnumerateObject().First();
        if (property.Value.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ErrorCodes.InvalidCarousel, $"'{Clip.Preview(property.Name)}' of {where} must be an object.");
        }

        var inner = property.Value;
        var label = JsonString(inner, "displayText", where, ErrorCodes.InvalidCarousel);
        if (string.IsNullOrWhiteSpace(label) || label.Length > WhatsAppLimits.ButtonTitleMaxLength)
        {
            throw Fail(ErrorCodes.InvalidCarousel, $"The displayText of {where} must be 1 to {WhatsAppLimits.ButtonTitleMaxLength} characters.");
        }

        label = label.Trim();
        switch (property.Name)
        {
            case "urlButton":
                var url = JsonString(inner, "url", where, ErrorCodes.InvalidCarousel);
                var target = url is null ? null : HttpUrl(url.Trim(), WhatsAppLimits.ButtonUrlMaxLength);
                return target is null
                    ? throw Fail(ErrorCodes.InvalidCarousel, $"The url of {where} must be an absolute http or https URL of at most {WhatsAppLimits.ButtonUrlMaxLength} characters.")
                    : new CarouselButton(CarouselButtonKind.Url, label, target.AbsoluteUri);
            case "copyButton":
                var code = JsonString(inner, "copyCode", where, ErrorCodes.InvalidCarousel)?.Trim();
                return string.IsNullOrEmpty(code) || code.Length > WhatsAppLimits.CopyCodeMaxLength || code.Any(char.IsControl)
                    ? throw Fail(ErrorCodes.InvalidCarousel, $"The copyCode of {where} must be 1 to {WhatsAppLimits.CopyCodeMaxLength} printable characters.")
                    : new CarouselButton(CarouselButtonKind.Copy, label, code);
            case "callButton":
                var phone = JsonString(inner, "phoneNumber", where, ErrorCodes.InvalidCarousel);
                return (phone is null ? null : PhoneNumberNormalizer.TryNormalize(phone)) is { } e164
                    ? new CarouselButton(CarouselButtonKind.Call, label, e164)
                    : throw Fail(ErrorCodes.InvalidCarousel, $"The phoneNumber of {where} must be an international number, for example +966534874887.");
            case "quickReplyButton":
                var id = JsonString(inner, "id", where, ErrorCodes.InvalidCarousel)?.Trim();
                if (string.IsNullOrEmpty(id) || id.Length > WhatsAppLimits.ButtonIdMaxLength || id.Any(char.IsControl))
                {
                    throw Fail(ErrorCodes.InvalidCarousel, $"The id of {where} must be 1 to {WhatsAppLimits.ButtonIdMaxLength} printable characters.");
                }

                return replyIds.Add(id)
                    ? new CarouselButton(CarouselButtonKind.QuickReply, label, id)
                    : throw Fail(ErrorCodes.InvalidCarousel, $"The quick reply id '{Clip.Preview(id)}' is used twice; ids must be unique across the carousel.");
            default:
                throw Fail(ErrorCodes.InvalidCarousel, $"{Capitalise(where)} is a '{Clip.Preview(property.Name)}'; the kinds are {Kinds}.");
        }
    }

    private static string? CardText(JsonElement card, string name, string where, int maxLength, bool required)
    {
        var value = JsonString(card, name, where, ErrorCodes.InvalidCarousel)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return required ? throw Fail(ErrorCodes.InvalidCarousel, $"{Capitalise(where)} needs a '{name}'.", CarouselExample) : null;
        }

        return value.Length <= maxLength
            ? value
            : throw Fail(ErrorCodes.InvalidCarousel, $"The {name} of {where} is {value.Length} characters; the limit is {maxLength}.");
    }

    /// <summary>A field holding a JSON array, parsed strictly (valid text, no name given twice).</summary>
    private static JsonDocument JsonArrayField(string json, string name, string code, string example)
    {
        JsonDocument document;
        try
        {
            // A name given twice in one item ({"type":"image","type":"video"}) is ambiguous: refused, not last-wins.
            document = StrictJson.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            throw Fail(code, $"'{name}' is not valid JSON (or names a field twice).", example);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            throw Fail(code, $"'{name}' must be a JSON array.", example);
        }

        return document;
    }

    private static string? JsonString(JsonElement element, string name, string where, string code)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Fail(code, $"'{name}' of {where} must be a string.");
    }

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
