using System.Text.Json.Serialization;

namespace WaServerless.Core.Messages;

/// <summary>
/// The content of one message, engine-neutral. Immutable; serialised with a "type" discriminator
/// so it crosses the queue as it is.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TextContent), "text")]
[JsonDerivedType(typeof(ImageContent), "image")]
[JsonDerivedType(typeof(DocumentContent), "document")]
[JsonDerivedType(typeof(VideoContent), "video")]
[JsonDerivedType(typeof(AudioContent), "audio")]
[JsonDerivedType(typeof(LocationContent), "location")]
[JsonDerivedType(typeof(ContactContent), "contact")]
[JsonDerivedType(typeof(ButtonsContent), "buttons")]
[JsonDerivedType(typeof(CopyCodeContent), "copy_code")]
[JsonDerivedType(typeof(ListContent), "list")]
[JsonDerivedType(typeof(TemplateContent), "template")]
[JsonDerivedType(typeof(PollContent), "poll")]
[JsonDerivedType(typeof(CallToActionContent), "call_to_action")]
[JsonDerivedType(typeof(AlbumContent), "album")]
[JsonDerivedType(typeof(CarouselContent), "carousel")]
public abstract record MessageContent
{
    [JsonIgnore]
    public MessageType Type => this switch
    {
        TextContent => MessageType.Text,
        ImageContent => MessageType.Image,
        DocumentContent => MessageType.Document,
        VideoContent => MessageType.Video,
        AudioContent => MessageType.Audio,
        LocationContent => MessageType.Location,
        ContactContent => MessageType.Contact,
        ButtonsContent => MessageType.Buttons,
        CopyCodeContent => MessageType.CopyCode,
        ListContent => MessageType.List,
        TemplateContent => MessageType.Template,
        PollContent => MessageType.Poll,
        CallToActionContent => MessageType.CallToAction,
        AlbumContent => MessageType.Album,
        CarouselContent => MessageType.Carousel,
        _ => throw new InvalidOperationException($"Unknown content {GetType().Name}."),
    };
}

public sealed record TextContent(string Text) : MessageContent;

public sealed record ImageContent(Uri Url, string? Caption) : MessageContent;

public sealed record DocumentContent(Uri Url, string? Filename, string? Caption) : MessageContent;

public sealed record VideoContent(Uri Url, string? Caption) : MessageContent;

/// <param name="Ptt">A voice note (push to talk, shown with a waveform) rather than an audio file.</param>
public sealed record AudioContent(Uri Url, bool Ptt = false) : MessageContent;

public sealed record LocationContent(double Latitude, double Longitude, string? Label) : MessageContent;

public sealed record ContactContent(string Name, string Phone) : MessageContent;

public sealed record ReplyButton(string Id, string Title);

public sealed record ButtonsContent(string Body, IReadOnlyList<ReplyButton> Buttons, string? Footer) : MessageContent
{
    public bool Equals(ButtonsContent? other) =>
        other is not null && Body == other.Body && Footer == other.Footer && Buttons.SequenceEqual(other.Buttons);

    public override int GetHashCode() => HashCode.Combine(Body, Footer, Buttons.Count);
}

/// <param name="Text">The message the code comes with ("Your verification code is:").</param>
/// <param name="ButtonLabel">The copy button's label ("Tap to Copy"), SMESS's copytext; engines whose button has a fixed label ignore it.</param>
public sealed record CopyCodeContent(string Code, string? Text, string? ButtonLabel = null) : MessageContent;

public sealed record ListRow(string RowId, string Title, string? Description);

public sealed record ListSection(string? Title, IReadOnlyList<ListRow> Rows)
{
    public bool Equals(ListSection? other) =>
        other is not null && Title == other.Title && Rows.SequenceEqual(other.Rows);

    public override int GetHashCode() => HashCode.Combine(Title, Rows.Count);
}

public sealed record ListContent(string Title, string Body, string ButtonText, IReadOnlyList<ListSection> Sections, string? Footer) : MessageContent
{
    public bool Equals(ListContent? other) =>
        other is not null && Title == other.Title && Body == other.Body && ButtonText == other.ButtonText
        && Footer == other.Footer && Sections.SequenceEqual(other.Sections);

    public override int GetHashCode() => HashCode.Combine(Title, Body, ButtonText, Sections.Count);
}

/// <summary>A poll: a question and 2 to 12 distinct options; <paramref name="MultipleAnswers"/> lets a recipient pick more than one.</summary>
public sealed record PollContent(string Question, IReadOnlyList<string> Options, bool MultipleAnswers) : MessageContent
{
    public bool Equals(PollContent? other) =>
        other is not null && Question == other.Question && MultipleAnswers == other.MultipleAnswers && Options.SequenceEqual(other.Options);

    public override int GetHashCode() => HashCode.Combine(Question, MultipleAnswers, Options.Count);
}

/// <summary>A button that opens <paramref name="Url"/> (http or https) in the recipient's browser.</summary>
public sealed record UrlButton(string Label, Uri Url);

/// <summary>A button that calls <paramref name="Phone"/> (E.164, with its "+") from the recipient's phone.</summary>
public sealed record CallButton(string Label, string Phone);

/// <summary>
/// A text message with a URL button, a call button or both (SMESS's url_button_* and call_button_*
/// fields). Engines without such buttons send the text with each button's label and target under it,
/// which WhatsApp shows as a link and a tappable number.
/// </summary>
public sealed record CallToActionContent(string Text, UrlButton? Url, CallButton? Call, string? Footer) : MessageContent;

/// <summary>What an album item is: WhatsApp groups images and videos, nothing else.</summary>
public enum AlbumItemKind
{
    Image,
    Video,
}

public sealed record AlbumItem(AlbumItemKind Kind, Uri Url);

/// <summary>
/// Up to 10 images and videos shown together under one caption. WhatsApp has no album message:
/// every engine sends the items one by one (the caption on the first) and the recipient's phone
/// groups them, so one queue id stands for several engine messages.
/// </summary>
public sealed record AlbumContent(IReadOnlyList<AlbumItem> Items, string? Caption) : MessageContent
{
    public bool Equals(AlbumContent? other) =>
        other is not null && Caption == other.Caption && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => HashCode.Combine(Caption, Items.Count);

    /// <summary>The items as the single media messages they go out as, the caption on the first.</summary>
    public IReadOnlyList<MessageContent> AsMediaMessages() =>
        Items.Select((item, i) => item.Kind == AlbumItemKind.Video
            ? (MessageContent)new VideoContent(item.Url, i == 0 ? Caption : null)
            : new ImageContent(item.Url, i == 0 ? Caption : null)).ToList();
}

/// <summary>The kinds of button a carousel card carries (SmartWats' urlButton, copyButton, callButton, quickReplyButton).</summary>
public enum CarouselButtonKind
{
    Url,
    Copy,
    Call,
    QuickReply,
}

/// <param name="Value">What the button does: the URL it opens, the code it copies, the E.164 number it calls, or the id its reply carries.</param>
public sealed record CarouselButton(CarouselButtonKind Kind, string Label, string Value);

public sealed record CarouselCard(Uri Image, string Title, string Body, string? Footer, IReadOnlyList<CarouselButton> Buttons)
{
    public bool Equals(CarouselCard? other) =>
        other is not null && Image == other.Image && Title == other.Title && Body == other.Body && Footer == other.Footer
        && Buttons.SequenceEqual(other.Buttons);

    public override int GetHashCode() => HashCode.Combine(Image, Title, Body, Footer, Buttons.Count);
}

/// <summary>Horizontally scrolling cards, each an image with a title, a body and 1 to 3 buttons, under an optional text, title and footer.</summary>
public sealed record CarouselContent(string? Text, string? Title, string? Footer, IReadOnlyList<CarouselCard> Cards) : MessageContent
{
    public bool Equals(CarouselContent? other) =>
        other is not null && Text == other.Text && Title == other.Title && Footer == other.Footer && Cards.SequenceEqual(other.Cards);

    public override int GetHashCode() => HashCode.Combine(Text, Title, Footer, Cards.Count);
}
