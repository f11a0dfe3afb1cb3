using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;

namespace WaServerless.Storage.Messages;

/// <summary>One step in a message's life, as GET /api/messages/{id} shows it.</summary>
public sealed record StatusChange(MessageStatus Status, DateTimeOffset At, int Attempt, string? Detail);

/// <summary>A message as stored: what was asked, where it is, and how it got there.</summary>
/// <param name="SessionKey">The sending session's key ("account~name").</param>
public sealed record MessageRecord(
    string MessageId,
    string AccountId,
    string KeyId,
    string SessionKey,
    string Recipient,
    MessageContent Content,
    Priority Priority,
    MessageStatus Status,
    IReadOnlyList<StatusChange> History,
    int Attempts,
    string? EngineMessageId,
    string? FailureReason,
    DateTimeOffset AcceptedAt,
    DateTimeOffset UpdatedAt,
    string? IdempotencyKey,
    DateTimeOffset? ScheduledFor = null);

/// <summary>A status change to apply; fields left null keep their stored values.</summary>
public sealed record StatusUpdate(MessageStatus Status, DateTimeOffset At, int? Attempt = null, string? Detail = null, string? EngineMessageId = null, string? FailureReason = null);

/// <summary>The response first given for an idempotency key, replayed as it was for a repeat within the window.</summary>
public sealed record StoredResponse(int Status, string Body);

public sealed record MessageQuery(MessageStatus? Status, string? Recipient, DateTimeOffset? From, DateTimeOffset? To);

public sealed record MessagePage(IReadOnlyList<MessageRecord> Items, string? NextCursor);

/// <summary>An accepted command whose enqueue may not have happened, and when it was due.</summary>
public sealed record OutboxEntry(SendCommand Command, DateTimeOffset? NotBefore);

/// <summary>Messages counted by how far they got: Sent includes those delivered and read, Delivered those read; Queued is queued, scheduled or sending.</summary>
public sealed record MessageStatusCounts(int Queued, int Sent, int Delivered, int Read, int Failed, int Cancelled);

public static class MessageRecordCommands
{
    /// <summary>The command that sends this stored message (again) as attempt <paramref name="attempt"/>.</summary>
    public static SendCommand ToCommand(this MessageRecord message, int attempt, string? traceParent)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new SendCommand
        {
            MessageId = message.MessageId,
            AccountId = message.AccountId,
            SessionKey = message.SessionKey,
            Recipient = message.Recipient,
            Content = message.Content,
            Priority = message.Priority.Value,
            AcceptedAt = message.AcceptedAt,
            Attempt = attempt,
            TraceParent = traceParent,
        };
    }
}
