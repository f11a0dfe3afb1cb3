using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Connector.Sessions;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Core.Telemetry;
using WaServerless.Queues;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Recipients;

namespace WaServerless.Connector.Sending;

/// <summary>Sends one command taken off a lane and settles it.</summary>
internal interface ISendCommandHandler
{
    /// <param name="sessionStream">
    /// The caller receives this session's messages only, in order (a Service Bus session): pacing waits
    /// inline rather than re-enqueueing, which would let a later message overtake this one.
    /// </param>
    Task ProcessAsync(ReceivedMessage received, bool sessionStream, CancellationToken cancellationToken);
}

/// <summary>
/// Sends one SendCommand taken off a lane and settles it. The stored status decides: a command
/// whose message has moved past sending (a redelivery, a double enqueue from the outbox sweeper)
/// is completed without sending again. Transient failures go round again with backoff until the
/// retry policy gives up; permanent ones fail the message.
/// </summary>
internal sealed partial class SendCommandProcessor(
    IQueueTransport transport,
    SendCommandQueue queue,
    MessageStore messages,
    EngineMessageIndex engineIds,
    StatusRecorder recorder,
    ISessionDirectory sessions,
    SessionPacer pacer,
    RecipientLimits recipientLimits,
    RecipientSendLedger recipientLedger,
    IOptions<ConnectorOptions> options,
    TimeProvider time,
    ILogger<SendCommandProcessor> logger) : ISendCommandHandler
{
    public Task ProcessAsync(ReceivedMessage received, CancellationToken cancellationToken) => ProcessAsync(received, sessionStream: false, cancellationToken);

    public async Task ProcessAsync(ReceivedMessage received, bool sessionStream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(received);
        var (command, poison) = SendCommandQueue.Parse(received);
        if (command is null)
        {
            LogPoison(logger, received.MessageId, poison!);
            await transport.DeadLetterAsync(received, poison!, cancellationToken);
            return;
        }

        using var activity = StartActivity(command);
        var stored = await messages.GetAsync(command.AccountId, command.MessageId, cancellationToken);
        if (stored is null)
        {
            LogUnknownMessage(logger, command.MessageId);
            await transport.DeadLetterAsync(received, "no stored message with this id", cancellationToken);
            return;
        }

        if (stored.Status is not (MessageStatus.Queued or MessageStatus.Scheduled or MessageStatus.Sending)
            || stored.Attempts > command.Attempt)
        {
            LogDuplicate(logger, command.MessageId, stored.Status.ToWire(), command.Attempt);
            await transport.CompleteAsync(received, cancellationToken);
            return;
        }

        var now = time.GetUtcNow();
        if (!sessions.IsReady(command.SessionKey) || sessions.EngineOf(command.SessionKey) is not { } registration)
        {
            // Not connected here (pairing, reconnecting, or owned by another replica): wait, not an attempt.
            await queue.EnqueueAsync(command, now + options.Value.DisconnectedRetryDelay, cancellationToken);
            await transport.CompleteAsync(received, cancellationToken);
            LogWaitingForSession(logger, command.MessageId, command.SessionKey);
            return;
        }

        if (stored.Status == MessageStatus.Scheduled && stored.ScheduledFor is { } due && due > now)
        {
            // Delivered early (a sweeper re-enqueue, a clock skew): the recipient gap still holds.
            await transport.AbandonAsync(received, due - now, cancellationToken);
            return;
        }

        var engine = registration.Sender;
        var wait = pacer.Reserve(command.SessionKey);
        if (wait > options.Value.MaxInlinePacingWait && !sessionStream)
        {
            await queue.EnqueueAsync(command, now + wait, cancellationToken);
            await transport.CompleteAsync(received, cancellationToken);
            return;
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);
            now = time.GetUtcNow();
        }

        // The accept-time gap and cap counted what was accepted; this counts what is actually sent, so
        // messages held back (a session that was down, retries) cannot reach one person in a burst.
        RecipientSlot? slot = null;
        if (await recipientLimits.ForAsync(command.AccountId, stored.KeyId, cancellationToken) is { } limits)
        {
            slot = await recipientLedger.TryTakeAsync(command.AccountId, command.Recipient, limits.RecipientGap, limits.RecipientDailyCap, command.Lane == Lane.Otp, cancellationToken);
            if (slot is RecipientSlot.Wait { DailyCapReached: true } && command.Lane == Lane.Otp)
            {
                // A login code held until tomorrow is useless: it fails now, and says why.
                await HandleFailureAsync(command, EngineSendResult.Permanent("recipient daily cap reached"), cancellationToken);
                await transport.CompleteAsync(received, cancellationToken);
                return;
            }

            if (slot is RecipientSlot.Wait hold)
            {
                await queue.EnqueueAsync(command, hold.Until, cancellationToken);
                await transport.CompleteAsync(received, cancellationToken);
                LogRecipientHold(logger, command.MessageId, hold.Reason, hold.Until);
                return;
            }
        }

        WaTelemetry.QueueAge.Record((now - command.AcceptedAt).TotalSeconds, WaTelemetry.Tag("lane", command.Lane.ToWire()));
        await recorder.RecordAsync(command.AccountId, command.MessageId, new StatusUpdate(MessageStatus.Sending, now, command.Attempt), FailureKind.None, command.TraceParent, cancellationToken);

        PartsOutcome outcome;
        try
        {
            outcome = await PartsSender.SendAsync(engine, new EngineSendRequest(command.SessionKey, command.MessageId, command.Recipient, command.Content, sessions.AddressOf(command.SessionKey), command.MaxMediaBytes), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // An engine that throws broke its contract; treat it as a transient failure, not a lost message.
            outcome = new PartsOutcome(EngineSendResult.Transient($"engine error: {e.GetType().Name}"), []);
            LogEngineThrew(logger, e, command.MessageId);
        }

        // Receipts name the engine's id of a part: each part leads back to the message.
        foreach (var part in outcome.Parts)
        {
            await engineIds.RecordAsync(part.EngineMessageId, command.AccountId, command.MessageId, cancellationToken);
        }

        var result = outcome.Result;

        var tags = new TagList { { "message_type", command.Content.Type.ToWire() }, { "lane", command.Lane.ToWire() }, { "engine", engine.Name } };
        if (result.Succeeded)
        {
            var sentAt = time.GetUtcNow();
            await recorder.RecordAsync(command.AccountId, command.MessageId, new StatusUpdate(MessageStatus.Sent, sentAt, command.Attempt, outcome.Detail, EngineMessageId: result.EngineMessageId), FailureKind.None, command.TraceParent, cancellationToken);
            WaTelemetry.MessagesSent.Add(1, tags);
            WaTelemetry.SendLatency.Record((sentAt - command.AcceptedAt).TotalSeconds, WaTelemetry.Tag("stage", "accepted_to_sent"));
        }
        else
        {
            if (slot is RecipientSlot.Granted taken && result.Failure == FailureKind.Permanent)
            {
                // Refused for good, so nothing reached the recipient: the slot goes back. A transient
                // failure (a timeout may have gone out after all) keeps it, and the retry waits the gap.
                await recipientLedger.ReleaseAsync(taken, cancellationToken);
            }

            tags.Add("failure", result.Failure.ToString().ToLowerInvariant());
            WaTelemetry.MessagesFailed.Add(1, tags);
            await HandleFailureAsync(command, result, cancellationToken);
        }

        await transport.CompleteAsync(received, cancellationToken);
    }

    private async Task HandleFailureAsync(SendCommand command, EngineSendResult result, CancellationToken cancellationToken)
    {
        if (result.Failure == FailureKind.Transient)
        {
            // Retrying is the RetrySend orchestration's job (backoff on durable timers, waiting for the
            // session, giving up); the connector only reports.
            await recorder.ReportTransientFailureAsync(command, result.Reason, cancellationToken);
            LogTransient(logger, command.MessageId, command.Attempt, result.Reason);
            return;
        }

        var reason = result.Reason ?? "permanent failure";
        await recorder.RecordAsync(command.AccountId, command.MessageId, new StatusUpdate(MessageStatus.Failed, time.GetUtcNow(), command.Attempt, reason, FailureReason: reason), result.Failure, command.TraceParent, cancellationToken);
        LogFailed(logger, command.MessageId, reason);
    }

    private static Activity? StartActivity(SendCommand command)
    {
        ActivityContext.TryParse(command.TraceParent, null, out var parent);
        var activity = WaTelemetry.Source.StartActivity("connector.send", ActivityKind.Consumer, parent);
        activity?.SetTag("waserverless.message_id", command.MessageId);
        activity?.SetTag("waserverless.attempt", command.Attempt);
        return activity;
    }

    [LoggerMessage(LogLevel.Warning, "Dead-lettered {QueueMessageId}: {Reason}")]
    private static partial void LogPoison(ILogger logger, string queueMessageId, string reason);

    [LoggerMessage(LogLevel.Warning, "Command for unknown message {MessageId} dead-lettered")]
    private static partial void LogUnknownMessage(ILogger logger, string messageId);

    [LoggerMessage(LogLevel.Information, "Command for {MessageId} attempt {Attempt} skipped: message is {Status}")]
    private static partial void LogDuplicate(ILogger logger, string messageId, string status, int attempt);

    [LoggerMessage(LogLevel.Debug, "{MessageId} waits: session {SessionKey} is not connected on this replica")]
    private static partial void LogWaitingForSession(ILogger logger, string messageId, string sessionKey);

    [LoggerMessage(LogLevel.Information, "{MessageId} held back ({Reason}) until {Until}")]
    private static partial void LogRecipientHold(ILogger logger, string messageId, string reason, DateTimeOffset until);

    [LoggerMessage(LogLevel.Error, "Engine threw sending {MessageId}")]
    private static partial void LogEngineThrew(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(LogLevel.Warning, "Send of {MessageId} attempt {Attempt} failed transiently ({Reason}); reported for retry")]
    private static partial void LogTransient(ILogger logger, string messageId, int attempt, string? reason);

    [LoggerMessage(LogLevel.Warning, "Message {MessageId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string messageId, string reason);
}
