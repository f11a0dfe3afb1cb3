using WaServerless.Core.Messages;

namespace WaServerless.Core.Contracts;

/// <summary>Why a send did not succeed, as far as what to do next is concerned.</summary>
public enum FailureKind
{
    None,
    /// <summary>Worth trying again later: session disconnected, rate limited, timed out.</summary>
    Transient,
    /// <summary>Trying again cannot help: not on WhatsApp, invalid media, blocked.</summary>
    Permanent,
}

/// <summary>A message changed status. Published on the events queue for every change; consumers fan it out.</summary>
public sealed record DeliveryEvent
{
    public required string EventId { get; init; }

    public required string MessageId { get; init; }

    public required string AccountId { get; init; }

    /// <summary>The sending session's key ("account~name").</summary>
    [System.Text.Json.Serialization.JsonPropertyName("session_id")] // the wire name published events already carry
    public required string SessionKey { get; init; }

    public required MessageStatus Status { get; init; }

    public required DateTimeOffset At { get; init; }

    public int Attempt { get; init; } = 1;

    public string? EngineMessageId { get; init; }

    public FailureKind Failure { get; init; }

    public string? Reason { get; init; }

    public string? TraceParent { get; init; }
}
