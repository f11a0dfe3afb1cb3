using System.Text;
using WaServerless.Core.Messages;

namespace WaServerless.Core.Engines;

/// <summary>
/// The single messages a multi-part message goes out as, on engines that send it that way
/// (<see cref="EngineCapabilities.SendsAsParts"/>): an album as its images and videos, the caption
/// on the first; a carousel, where there are no carousels, as its text and then one image per card
/// with the card's title, body and buttons written out.
/// </summary>
public static class MessageParts
{
    public static IReadOnlyList<MessageContent> Split(MessageContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content switch
        {
            AlbumContent album => album.AsMediaMessages(),
            CarouselContent carousel => SplitCarousel(carousel),
            _ => [content],
        };
    }

    /// <summary>The id a part is sent under: the message id for a single part, else the id and the part's number (an engine that recognises repeats then recognises each part).</summary>
    public static string PartId(string messageId, int index, int count) =>
        count == 1 ? messageId : $"{messageId}.{index + 1}";

    private static List<MessageContent> SplitCarousel(CarouselContent carousel)
    {
        var parts = new List<MessageContent>();
        var intro = Lines(carousel.Title is null ? null : $"*{carousel.Title}*", carousel.Text, carousel.Footer is null ? null : $"_{carousel.Footer}_");
        if (intro.Length > 0)
        {
            parts.Add(new TextContent(intro));
        }

        foreach (var card in carousel.Cards)
        {
            var buttons = card.Buttons.Select(b => b.Kind switch
            {
                CarouselButtonKind.Url => $"{b.Label}: {b.Value}",
                CarouselButtonKind.Copy => $"{b.Label}: {b.Value}",
                CarouselButtonKind.Call => $"{b.Label}: {b.Value}",
                _ => $"{b.Label} (reply \"{b.Label}\")",
            });
            var caption = Lines($"*{card.Title}*", card.Body, card.Footer is null ? null : $"_{card.Footer}_", "", string.Join('\n', buttons));
            parts.Add(new ImageContent(card.Image, caption));
        }

        return parts;
    }

    private static string Lines(params string?[] lines)
    {
        var text = new StringBuilder();
        foreach (var line in lines)
        {
            if (line is null)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append(line);
        }

        return text.ToString().Trim('\n');
    }
}
