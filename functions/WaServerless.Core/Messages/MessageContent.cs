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
