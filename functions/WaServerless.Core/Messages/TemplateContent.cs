namespace WaServerless.Core.Messages;

/// <summary>
/// A message from a template the business had approved in WhatsApp Manager: WhatsApp keeps the
/// template's own text and fills its placeholders with these values. The one kind of message a
/// business may start a conversation with, or send after the 24-hour customer-service window.
/// </summary>
/// <param name="Name">The template's name (lowercase letters, digits, '_').</param>
/// <param name="Language">The approved translation's code, "en" or "en_US".</param>
/// <param name="BodyParameters">Values of the body's placeholders {{1}}, {{2}}, .. in order.</param>
/// <param name="Header">The header's one parameter, when the template's header has one.</param>
/// <param name="Buttons">Parameters of the template's quick-reply and dynamic URL buttons, by index.</param>
public sealed record TemplateContent(
    string Name,
    string Language,
    IReadOnlyList<string> BodyParameters,
    TemplateHeader? Header,
    IReadOnlyList<TemplateButton> Buttons) : MessageContent
{
    // Never null, even when a stored or queued copy leaves the list out.
    public IReadOnlyList<string> BodyParameters { get; init; } = BodyParameters ?? [];

    public IReadOnlyList<TemplateButton> Buttons { get; init; } = Buttons ?? [];

    public bool Equals(TemplateContent? other) =>
        other is not null && Name == other.Name && Language == other.Language && Header == other.Header
        && BodyParameters.SequenceEqual(other.BodyParameters) && Buttons.SequenceEqual(other.Buttons);

    public override int GetHashCode() => HashCode.Combine(Name, Language, Header, BodyParameters.Count, Buttons.Count);
}

public enum TemplateHeaderKind
{
    Text,
    Image,
    Document,
    Video,
}

/// <summary>A text header's parameter (<paramref name="Text"/>) or a media header's file (<paramref name="Url"/>).</summary>
public sealed record TemplateHeader(TemplateHeaderKind Kind, string? Text, Uri? Url)
{
    public static TemplateHeader OfText(string text) => new(TemplateHeaderKind.Text, text, null);

    public static TemplateHeader OfMedia(TemplateHeaderKind kind, Uri url) =>
        kind == TemplateHeaderKind.Text
            ? throw new ArgumentOutOfRangeException(nameof(kind), kind, "A media header is an image, a document or a video.")
            : new(kind, null, url);
}

public enum TemplateButtonKind
{
    /// <summary>Value is the payload that comes back when the recipient taps the button.</summary>
    QuickReply,

    /// <summary>Value is the suffix appended to the URL the template defines.</summary>
    Url,
}

/// <summary>The parameter of the template's button at <paramref name="Index"/> (0-based, as the template orders them).</summary>
public sealed record TemplateButton(TemplateButtonKind Kind, int Index, string Value);
