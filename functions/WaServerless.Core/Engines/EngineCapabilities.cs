using WaServerless.Core.Messages;
using WaServerless.Core.Sending;

namespace WaServerless.Core.Engines;

/// <summary>How an engine's sessions are linked to a WhatsApp account.</summary>
[Flags]
public enum PairingMethods
{
    /// <summary>Nothing to pair: the number is registered elsewhere (Meta's WhatsApp Manager for the Cloud API).</summary>
    None = 0,
    QrCode = 1,
    PairCode = 2,
}

/// <summary>
/// What an engine can do, declared by the engine and known by name to the API (which has no engine
/// of its own), so a request the session's engine cannot carry is refused up front, never accepted
/// and then failed. An engine refuses the rest with <see cref="EngineCapabilityException"/>.
/// </summary>
public sealed record EngineCapabilities(PairingMethods Pairing, IReadOnlySet<MessageType> MessageTypes, bool Groups, bool NumberChecks, bool CallButtons = true, CarouselSupport Carousels = CarouselSupport.Native)
{
    public bool CanSend(MessageType type) => MessageTypes.Contains(type);

    /// <summary>Whether this content, not just its type, can go out on the engine.</summary>
    public bool CanSend(MessageContent content) => content is not null && CanSend(content.Type) && Refusal(content) is null;

    /// <summary>
    /// Why content of a type the engine carries still cannot go out in this shape (a call button on
    /// the Cloud API, a carousel outside Meta's rules), or null when it can.
    /// </summary>
    public string? Refusal(MessageContent content) => content switch
    {
        CallToActionContent { Call: not null } when !CallButtons => "has no button that calls a phone number",
        CarouselContent carousel when Carousels == CarouselSupport.MetaInteractive => MetaCarouselRules.Refusal(carousel),
        _ => null,
    };

    /// <summary>Whether the engine sends this content as several messages (album items; carousel cards where there are no carousels), one after another.</summary>
    public bool SendsAsParts(MessageContent content) =>
        content is AlbumContent || (content is CarouselContent && Carousels == CarouselSupport.CardsAsMessages);

    public bool CanPair(PairingMethods method) => method != PairingMethods.None && (Pairing & method) == method;

    /// <summary>The simulated WhatsApp carries everything, so every path can be tried locally.</summary>
    public static EngineCapabilities Sandbox { get; } = new(PairingMethods.QrCode | PairingMethods.PairCode, new HashSet<MessageType>(Enum.GetValues<MessageType>()), Groups: true, NumberChecks: true);

    /// <summary>
    /// Meta's Cloud API: every message type of the model but polls (it has none); no pairing, no
    /// groups, no number checks. A URL button goes as Meta's interactive cta_url message; Meta has no
    /// button that calls an arbitrary number, so call buttons are refused. An album goes as its media
    /// messages one by one; a carousel as Meta's interactive carousel, within Meta's rules for it.
    /// </summary>
    public static EngineCapabilities CloudApi { get; } = new(PairingMethods.None, new HashSet<MessageType>(Enum.GetValues<MessageType>().Where(t => t != MessageType.Poll)), Groups: false, NumberChecks: false, CallButtons: false, Carousels: CarouselSupport.MetaInteractive);

    /// <summary>
    /// WhatsApp Web through WAHA: QR and pair code, groups and number checks; no Meta templates
    /// (they exist only on the Cloud API). Reply and copy-code buttons do not render on WhatsApp Web
    /// (WAHA documents sendButtons as broken), so they are sent in their fallback form, or refused
    /// up front when the fallback is <see cref="ButtonsFallback.Refuse"/>. Carousels, which do not
    /// render there either, go as one image message per card with its buttons written out.
    /// </summary>
    public static EngineCapabilities Waha(ButtonsFallback buttons) => buttons == ButtonsFallback.Refuse ? WahaRefusingButtons : WahaWithFallback;

    private static readonly EngineCapabilities WahaWithFallback = new(
        PairingMethods.QrCode | PairingMethods.PairCode,
        new HashSet<MessageType>(Enum.GetValues<MessageType>().Where(t => t != MessageType.Template)),
        Groups: true,
        NumberChecks: true,
        Carousels: CarouselSupport.CardsAsMessages);

    private static readonly EngineCapabilities WahaRefusingButtons = WahaWithFallback with
    {
        MessageTypes = new HashSet<MessageType>(WahaWithFallback.MessageTypes.Where(t => t is not (MessageType.Buttons or MessageType.CopyCode or MessageType.Carousel))),
    };

    /// <summary>The capabilities of the engine named <paramref name="engine"/> (see <see cref="EngineNames"/>), or null for no such engine.</summary>
    public static EngineCapabilities? For(string? engine, ButtonsFallback wahaButtons = ButtonsFallback.NumberedText) => EngineNames.Normalize(engine) switch
    {
        EngineNames.Sandbox => Sandbox,
        EngineNames.CloudApi => CloudApi,
        EngineNames.Waha => Waha(wahaButtons),
        _ => null,
    };
}

/// <summary>How an engine carries a carousel.</summary>
public enum CarouselSupport
{
    /// <summary>As one carousel message, every button kind (the Sandbox).</summary>
    Native,

    /// <summary>As Meta's interactive carousel: 2 to 10 cards, body text, one URL button or only quick replies per card (see <see cref="MetaCarouselRules"/>).</summary>
    MetaInteractive,

    /// <summary>As the text, then one image message per card with its title, body and buttons written out (WhatsApp Web).</summary>
    CardsAsMessages,
}

/// <summary>
/// Meta's rules for an interactive carousel, checked at accept time so that a carousel the Cloud API
/// would refuse is never accepted: main body text required; no main title or footer; 2 to 10
/// cards; each card one URL button or only quick replies, the same kind and number on every card;
/// the card's title, body and footer fit Meta's 160-character card body.
/// </summary>
public static class MetaCarouselRules
{
    public static string? Refusal(CarouselContent carousel)
    {
        ArgumentNullException.ThrowIfNull(carousel);
        if (carousel.Cards.Count < WhatsAppLimits.CloudApiCarouselMinCards)
        {
            return $"sends carousels of {WhatsAppLimits.CloudApiCarouselMinCards} to {WhatsAppLimits.CarouselMaxCards} cards only (Meta's rule); this one has {carousel.Cards.Count}";
        }

        if (string.IsNullOrWhiteSpace(carousel.Text))
        {
            return "needs the carousel's 'text' (Meta's carousel requires body text)";
        }

        if (carousel.Title is not null || carousel.Footer is not null)
        {
            return "has no carousel title or footer (Meta's carousel has body text only): put them in 'text'";
        }

        var first = Shape(carousel.Cards[0]);
        for (var i = 0; i < carousel.Cards.Count; i++)
        {
            var card = carousel.Cards[i];
            var shape = Shape(card);
            if (shape is null)
            {
                return "takes cards with one URL button, or with quick-reply buttons only (Meta has no copy or call buttons on carousel cards)";
            }

            if (shape != first)
            {
                return "needs every card to have the same buttons: the same kind and number on each (Meta's rule)";
            }

            if (CardBody(card).Length > WhatsAppLimits.CarouselCardBodyMaxLength)
            {
                return $"fits a card's title, body and footer in {WhatsAppLimits.CarouselCardBodyMaxLength} characters (Meta's card body); card {i + 1} is longer";
            }
        }

        return null;
    }

    /// <summary>The card's text as Meta's card body carries it: the title in bold, the body, the footer.</summary>
    public static string CardBody(CarouselCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        var text = $"*{card.Title}*\n{card.Body}";
        return card.Footer is null ? text : $"{text}\n{card.Footer}";
    }

    private static (CarouselButtonKind Kind, int Count)? Shape(CarouselCard card) => card.Buttons switch
    {
        [{ Kind: CarouselButtonKind.Url }] => (CarouselButtonKind.Url, 1),
        var buttons when buttons.All(b => b.Kind == CarouselButtonKind.QuickReply) => (CarouselButtonKind.QuickReply, buttons.Count),
        _ => null,
    };
}

/// <summary>How an engine without buttons (WhatsApp Web) sends reply and copy-code buttons.</summary>
public enum ButtonsFallback
{
    /// <summary>The body, then "1. First", "2. Second" on their own lines (a copy code on its own line): the recipient answers with a number.</summary>
    NumberedText,

    /// <summary>A single-choice poll of the button titles (a copy code falls back to numbered text).</summary>
    Poll,

    /// <summary>Refused at the API with 422 MESSAGE_TYPE_NOT_SUPPORTED.</summary>
    Refuse,
}

/// <summary>An engine was asked for something it does not do (the way WAHA answers NotImplementedByEngine).</summary>
public sealed class EngineCapabilityException : NotSupportedException
{
    public EngineCapabilityException()
    {
    }

    public EngineCapabilityException(string message)
        : base(message)
    {
    }

    public EngineCapabilityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public static EngineCapabilityException For(string engine, string what) => new($"The {engine} engine cannot {what}.");
}

/// <summary>Bound from "Waha" by the API as well as the connector, so both agree on what a waha session sends.</summary>
public sealed class WahaSendingOptions
{
    public const string Section = "Waha";

    public ButtonsFallback ButtonsFallback { get; set; } = ButtonsFallback.NumberedText;
}
