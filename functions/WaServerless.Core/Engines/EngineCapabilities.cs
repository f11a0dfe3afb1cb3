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

    /// <summary>Meta's Cloud API: every message type of the model; no pairing, no groups, no number checks.</summary>
    public static EngineCapabilities CloudApi { get; } = new(PairingMethods.None, new HashSet<MessageType>(Enum.GetValues<MessageType>()), Groups: false, NumberChecks: false);

    /// <summary>The capabilities of the engine named <paramref name="engine"/> (see <see cref="EngineNames"/>), or null for no such engine.</summary>
    public static EngineCapabilities? For(string? engine) => EngineNames.Normalize(engine) switch
    {
        EngineNames.Sandbox => Sandbox,
        EngineNames.CloudApi => CloudApi,
        _ => null,
    };
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
