using WaServerless.Core.Messages;
using WaServerless.Core.Sending;

namespace WaServerless.Core.Contracts;

/// <summary>
/// "Send this message": what the API puts on a lane and the connector takes off it. Carries all it
/// needs to send without a storage read; the connector still checks the stored status so a
/// redelivered command is never sent twice.
/// </summary>
public sealed record SendCommand
{
    /// <summary>The wire version: a consumer refuses (dead-letters) a version it does not know, never half-reads one.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("v")]
    public int Version { get; init; } = 1;

    public required string MessageId { get; init; }

    public required string AccountId { get; init; }

    /// <summary>The key ("account~name") of the WhatsApp session that sends it; Service Bus session id and connector ownership key.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("session_id")] // the wire name queued commands already carry
    public required string SessionKey { get; init; }

    public required string Recipient { get; init; }

    public required MessageContent Content { get; init; }

    public required int Priority { get; init; }

    public required DateTimeOffset AcceptedAt { get; init; }

    /// <summary>1 for the first try; a retry re-enqueues with the next number.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The account's plan limit on media size when it was accepted, enforced again where the bytes are fetched; null for WhatsApp's own limits.</summary>
    public long? MaxMediaBytes { get; init; }

    /// <summary>W3C traceparent of the accepting request, so one trace spans API, queue and engine.</summary>
    public string? TraceParent { get; init; }

    public Lane Lane => Sending.Priority.FromValue(Priority).Lane;
}
