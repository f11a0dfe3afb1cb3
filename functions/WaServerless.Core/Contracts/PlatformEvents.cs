using System.Text.Json.Serialization;
using WaServerless.Core.Sessions;

namespace WaServerless.Core.Contracts;

/// <summary>
/// A session changed state (connected, disconnected, logged_out, failed, ...). Published by the
/// connector on the events queue so that the Functions app, in another process, can wake retries
/// and campaigns waiting for the session, and fan the change out to webhooks.
/// </summary>
public sealed record SessionStateChanged
{
    public const string Kind = "session";

    [JsonPropertyName("event_type")]
    public string EventType { get; init; } = Kind;

    public required string EventId { get; init; }

    public required string AccountId { get; init; }

    /// <summary>The account's name for the session ("default").</summary>
    public required string SessionId { get; init; }

    public required SessionState State { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Phone { get; init; }

    public string? Reason { get; init; }

    public string SessionKey => Sessions.SessionKey.Of(AccountId, SessionId);
}

/// <summary>A message somebody sent to one of the account's sessions. Stored first, then published.</summary>
public sealed record InboundMessageReceived
{
    public const string Kind = "inbound";

    [JsonPropertyName("event_type")]
    public string EventType { get; init; } = Kind;

    public required string EventId { get; init; }

    public required string AccountId { get; init; }

    public required string SessionId { get; init; }

    /// <summary>Our id for it (in_...), the one GET /api/inbound returns.</summary>
    public required string MessageId { get; init; }

    /// <summary>The sender in E.164.</summary>
    public required string From { get; init; }

    public string? FromName { get; init; }

    /// <summary>text, image, document, audio, video, sticker, location, contact, reaction, button_reply, list_reply, ...</summary>
    public required string Type { get; init; }

    /// <summary>Text body, caption, chosen button or row title, reaction emoji, or location name.</summary>
    public string? Text { get; init; }

    /// <summary>The id of the chosen reply button or list row.</summary>
    public string? ReplyId { get; init; }

    /// <summary>The engine's media id, for media the engine can download.</summary>
    public string? MediaId { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? EngineMessageId { get; init; }

    /// <summary>The engine message id of the message this one answers or reacts to.</summary>
    public string? InReplyTo { get; init; }
}

/// <summary>
/// A recipient opted out of an account's messages (sent a stop word) or back in (a start word).
/// Published by the connector when the inbound message changed the recorded consent.
/// </summary>
public sealed record RecipientConsentChanged
{
    public const string Kind = "consent";

    [JsonPropertyName("event_type")]
    public string EventType { get; init; } = Kind;

    public required string EventId { get; init; }

    public required string AccountId { get; init; }

    /// <summary>The session the keyword arrived on.</summary>
    public required string SessionId { get; init; }

    /// <summary>The recipient in E.164.</summary>
    public required string Number { get; init; }

    /// <summary>opted_out or opted_in.</summary>
    public required string Consent { get; init; }

    /// <summary>The message that changed it: the stop or start word as sent, and its inbound id.</summary>
    public string? Keyword { get; init; }

    public string? InboundMessageId { get; init; }

    public required DateTimeOffset At { get; init; }
}
