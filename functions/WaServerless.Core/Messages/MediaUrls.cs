namespace WaServerless.Core.Messages;

/// <summary>Every URL a message's content asks the platform (or its engine) to fetch.</summary>
public static class MediaUrls
{
    public static IReadOnlyList<Uri> Of(MessageContent content) => content switch
    {
        ImageContent c => [c.Url],
        DocumentContent c => [c.Url],
        VideoContent c => [c.Url],
        AudioContent c => [c.Url],
        TemplateContent { Header.Url: { } url } => [url],
        AlbumContent c => c.Items.Select(i => i.Url).ToList(),
        CarouselContent c => c.Cards.Select(card => card.Image).ToList(),
        _ => [],
    };
}
