using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;

namespace WaServerless.Core.Engines;

/// <summary>
/// One way of talking to WhatsApp (the Sandbox, Meta's Cloud API, ...). Engines know the message
/// model and nothing of storage or queues; what happens to them later (receipts, disconnects)
/// they report to the <see cref="IEngineEventSink"/>.
/// </summary>
public interface IWhatsAppEngine
{
    string Name { get; }

    /// <summary>What it can send and do; the same value <see cref="EngineCapabilities.For"/> gives the API for its name.</summary>
    EngineCapabilities Capabilities { get; }

    /// <summary>
    /// Sends one message. Must not throw for WhatsApp's own refusals: they come back as a
    /// classified <see cref="EngineSendResult"/>. <paramref name="request"/>.MessageId lets an engine
    /// that can recognise a repeat return the first result instead of sending again.
    /// </summary>
    Task<EngineSendResult> SendAsync(EngineSendRequest request, CancellationToken cancellationToken);
}

/// <param name="SenderAddress">
/// The session's own address at the engine when it has one (a Cloud API session's phone number id);
/// null for the engine's default.
/// </param>
/// <param name="MaxMediaBytes">The plan's media size limit, for engines that fetch the media themselves; null for WhatsApp's own.</param>
/// <param name="SessionKey">The sending session's key ("account~name").</param>
public sealed record EngineSendRequest(string SessionKey, string MessageId, string Recipient, MessageContent Content, string? SenderAddress = null, long? MaxMediaBytes = null);

public sealed record EngineSendResult(string? EngineMessageId, FailureKind Failure, string? Reason)
{
    public bool Succeeded => Failure == FailureKind.None && EngineMessageId is not null;

    public static EngineSendResult Sent(string engineMessageId) => new(engineMessageId, FailureKind.None, null);

    public static EngineSendResult Transient(string reason) => new(null, FailureKind.Transient, reason);

    public static EngineSendResult Permanent(string reason) => new(null, FailureKind.Permanent, reason);
}

/// <summary>Something an engine observed, after the fact. Immutable.</summary>
public abstract record EngineEvent(string SessionId, DateTimeOffset At);

public enum ReceiptKind
{
    Delivered,
    Read,
    Failed,
}

/// <summary>WhatsApp says a sent message reached the phone, was read, or failed after all.</summary>
public sealed record ReceiptEvent(string SessionId, DateTimeOffset At, string EngineMessageId, ReceiptKind Kind, string? Reason = null) : EngineEvent(SessionId, At);

/// <summary>Where engines report events; the connector implements it.</summary>
public interface IEngineEventSink
{
    Task OnEventAsync(EngineEvent engineEvent, CancellationToken cancellationToken);
}
