using WaServerless.Core.Contracts;
using WaServerless.Core.Sending;

namespace WaServerless.Workflows.Retry;

/// <summary>The retry policy's numbers, carried in the input so that a replay never reads configuration.</summary>
public sealed record RetrySettings(int MaxAttempts, TimeSpan InitialDelay, TimeSpan MaxDelay, double Jitter, TimeSpan MaxAge)
{
    public static RetrySettings Default { get; } = new(
        RetryPolicy.Default.MaxAttempts, RetryPolicy.Default.InitialDelay, RetryPolicy.Default.MaxDelay, RetryPolicy.Default.Jitter, TimeSpan.FromHours(24));

    public RetryPolicy ToPolicy() => new(MaxAttempts, InitialDelay, MaxDelay, Jitter);
}

/// <summary>
/// One transient failure to retry: the command of the attempt that failed (its Attempt is that
/// attempt's number), why it failed, and whether the session was disconnected (then the retry also
/// goes as soon as the session reconnects).
/// </summary>
public sealed record RetrySendInput
{
    public required SendCommand Command { get; init; }

    public required string Reason { get; init; }

    public bool SessionDisconnected { get; init; }

    public required RetrySettings Settings { get; init; }

    /// <summary>Seeds the backoff's jitter; from the message id, so every run of this message draws the same.</summary>
    public required long JitterSeed { get; init; }

    public static RetrySendInput Create(SendCommand command, string? reason, bool sessionDisconnected, RetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(settings);
        return new RetrySendInput
        {
            Command = command,
            Reason = string.IsNullOrWhiteSpace(reason) ? "transient failure" : reason,
            SessionDisconnected = sessionDisconnected,
            Settings = settings,
            JitterSeed = DeterministicJitter.SeedOf(command.MessageId),
        };
    }
}

public enum RetrySendResult
{
    /// <summary>The next attempt is on the queue.</summary>
    Requeued,
    /// <summary>No attempts or time left: the message is failed with the last reason.</summary>
    GaveUp,
    /// <summary>The message was cancelled while the retry waited.</summary>
    Cancelled,
    /// <summary>The message already went out or ended another way.</summary>
    Settled,
    /// <summary>A later attempt is already underway; this start was a stale duplicate.</summary>
    Superseded,
    /// <summary>No stored message with this id.</summary>
    NotFound,
}

/// <summary><paramref name="Attempt"/>: the attempt re-enqueued (Requeued), else the attempt that failed.</summary>
public sealed record RetrySendOutcome(RetrySendResult Result, int Attempt, DateTimeOffset At, string? Reason);

/// <summary>What a waiting RetrySend shows as its custom status.</summary>
public sealed record RetrySendStatus(int NextAttempt, DateTimeOffset RetryAt, bool WaitsForSession);

/// <summary>What the stored message says about going on with a retry.</summary>
public enum RetryCheck
{
    Proceed,
    Cancelled,
    Settled,
    Superseded,
    NotFound,
}

/// <summary>Input of <see cref="ScheduleRetryActivity"/>.</summary>
public sealed record RetryScheduleRequest(
    string AccountId,
    string MessageId,
    [property: System.Text.Json.Serialization.JsonPropertyName("SessionId")] string SessionKey, // the name in orchestration histories already written
    int FailedAttempt,
    string Reason,
    DateTimeOffset RetryAt,
    bool WaitsForSession,
    string InstanceId,
    string? TraceParent);

/// <summary>Input of <see cref="MarkRetryFailedActivity"/>.</summary>
public sealed record RetryFailRequest(string AccountId, string MessageId, int Attempt, string Reason, string? TraceParent);

/// <summary>Why a transient failure happened, as far as waiting for it is concerned.</summary>
public enum TransientCause
{
    Other,
    SessionDisconnected,
    RateLimited,
}

public static class TransientCauses
{
    /// <summary>
    /// Classifies an engine's free-text reason. A stopgap until the engine result and the
    /// DeliveryEvent carry the cause as a field.
    /// </summary>
    public static TransientCause Classify(string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return TransientCause.Other;
        }

        if (reason.Contains("disconnect", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("not connected", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("offline", StringComparison.OrdinalIgnoreCase))
        {
            return TransientCause.SessionDisconnected;
        }

        if (reason.Contains("rate limit", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("rate-limit", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("rate_limit", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("too many", StringComparison.OrdinalIgnoreCase)
            || reason.Contains("429", StringComparison.Ordinal))
        {
            return TransientCause.RateLimited;
        }

        return TransientCause.Other;
    }
}
