using WaServerless.Core.Messages;

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
public sealed record EngineCapabilities(PairingMethods Pairing, IReadOnlySet<MessageType> MessageTypes, bool Groups, bool NumberChecks)
{
    public bool CanSend(MessageType type) => MessageTypes.Contains(type);

    public bool CanPair(PairingMethods method) => method != PairingMethods.None && (Pairing & method) == method;

    /// <summary>The simulated WhatsApp carries everything, so every path can be tried locally.</summary>
    public static EngineCapabilities Sandbox { get; } = new(PairingMethods.QrCode | PairingMethods.PairCode, new HashSet<MessageType>(Enum.GetValues<MessageType>()), Groups: true, NumberChecks: true);

    /// <summary>Meta's Cloud API: every message type of the model but polls (it has none); no pairing, no groups, no number checks.</summary>
    public static EngineCapabilities CloudApi { get; } = new(PairingMethods.None, new HashSet<MessageType>(Enum.GetValues<MessageType>().Where(t => t != MessageType.Poll)), Groups: false, NumberChecks: false);

    /// <summary>
    /// WhatsApp Web through WAHA: QR and pair code, groups and number checks; no Meta templates
    /// (they exist only on the Cloud API). Reply and copy-code buttons do not render on WhatsApp Web
    /// (WAHA documents sendButtons as broken), so they are sent in their fallback form, or refused
    /// up front when the fallback is <see cref="ButtonsFallback.Refuse"/>.
    /// </summary>
    public static EngineCapabilities Waha(ButtonsFallback buttons) => buttons == ButtonsFallback.Refuse ? WahaRefusingButtons : WahaWithFallback;

    private static readonly EngineCapabilities WahaWithFallback = new(
        PairingMethods.QrCode | PairingMethods.PairCode,
        new HashSet<MessageType>(Enum.GetValues<MessageType>().Where(t => t != MessageType.Template)),
        Groups: true,
        NumberChecks: true);

    private static readonly EngineCapabilities WahaRefusingButtons = WahaWithFallback with
    {
        MessageTypes = new HashSet<MessageType>(WahaWithFallback.MessageTypes.Where(t => t is not (MessageType.Buttons or MessageType.CopyCode))),
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
