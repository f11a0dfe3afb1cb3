using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Api.Sessions;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Core.Telemetry;
using WaServerless.Queues;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Sessions;
using WaServerless.Core.Sessions;

namespace WaServerless.Api.Sending;

/// <summary>
/// POST /api/send: read, authenticate, parse, store (one transaction), enqueue, answer 202: two
/// storage round trips when the caller and its session are in the short-lived caches.
/// Once the transaction commits the message is accepted: a failed enqueue is left to the outbox
/// sweeper and the caller still gets its 202.
/// </summary>
public sealed partial class SendHandler(
    RequestFieldsReader reader,
    MessageStore messages,
    SendCommandQueue queue,
    OutboxCompletions outbox,
    PlanCatalog plans,
    SessionStore sessions,
    MediaGuard media,
    EngineSupport engines,
    IOptions<ApiOptions> options,
    TimeProvider time,
    ILogger<SendHandler> logger)
{
    public async Task<IActionResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fields = await reader.ReadAsync(request, cancellationToken);
        return await SendAsync(fields, request.Caller(), cancellationToken);
    }

    /// <summary>The send itself, from native fields: POST /api/send and every compatibility surface's sends go through here.</summary>
    public async Task<IActionResult> SendAsync(IReadOnlyDictionary<string, string> fields, Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(caller);
        using var activity = WaTelemetry.Source.StartActivity("api.send", ActivityKind.Internal);
        var parsed = SendRequestParser.Parse(fields);
        if (parsed.Error is { } error)
        {
            return ApiResults.Error(error);
        }

        var send = parsed.Request!;
        var plan = plans.PlanOf(caller.Account);
        if (await media.CheckAsync(send.Content, plan, cancellationToken) is { } mediaError)
        {
            return ApiResults.Error(mediaError);
        }

        var sessionId = fields.TryGetValue("session", out var chosen) && !string.IsNullOrWhiteSpace(chosen) ? chosen.Trim() : caller.Account.DefaultSessionId;
        var session = await sessions.RequireRecentAsync(caller.Account.Id, sessionId, options.Value.SessionCacheDuration, cancellationToken);

        if (engines.Refusal(session, send.Content, send.Recipient) is { } unsupported)
        {
            return ApiResults.Error(unsupported);
        }

        var waitForSession = fields.TryGetValue("wait_for_session", out var wait) && (wait.Trim() is "true" or "1");
        if (session.State != SessionState.Connected && !waitForSession)
        {
            return ApiResults.Error(
                session.ConnectedAt is null
                    ? new ApiError(503, ErrorCodes.NotActivated, $"WhatsApp session '{sessionId}' has never been paired.", "Pair it (GET /api/sessions/{id}/qr), or send with wait_for_session=true to queue until it connects.")
                    : new ApiError(503, ErrorCodes.WhatsAppDisconnected, $"WhatsApp session '{sessionId}' is {session.State.ToWire()}.", "Try again later, or send with wait_for_session=true to queue until it reconnects."),
                new Dictionary<string, string> { ["Retry-After"] = "30" });
        }

        var now = time.GetUtcNow();
        var command = new SendCommand
        {
            MessageId = MessageIds.New(time),
            AccountId = caller.Account.Id,
            SessionKey = SessionKey.Of(caller.Account.Id, sessionId),
            Recipient = send.Recipient,
            Content = send.Content,
            Priority = send.Priority.Value,
            AcceptedAt = now,
            TraceParent = Activity.Current?.Id,
            MaxMediaBytes = MediaUrls.Of(send.Content).Count > 0 ? plan.MaxMediaBytes : null,
        };
        activity?.SetTag("waserverless.message_id", command.MessageId);
        activity?.SetTag("waserverless.message_type", send.Content.Type.ToWire());

        var result = await messages.AcceptAsync(caller, plans.LimitsFor(caller), send, command, Respond, cancellationToken);
        switch (result)
        {
            case AcceptResult.Replayed replayed:
                return new RawJsonResult(replayed.Response.Status, replayed.Response.Body);
            case AcceptResult.IdempotencyMismatch:
                return ApiResults.Error(new ApiError(409, ErrorCodes.IdempotencyMismatch, "This idempotency_key was already used with a different request.", "Use a new idempotency_key for a different message."));
            case AcceptResult.QuotaExceeded exceeded:
                WaTelemetry.RateLimitRejections.Add(1, WaTelemetry.Tag("limit", "monthly_quota"));
                return ApiResults.Error(new ApiError(402, ErrorCodes.QuotaExceeded, $"The account's monthly quota of {exceeded.MonthlyQuota.ToString(CultureInfo.InvariantCulture)} messages is used up."));
            case AcceptResult.RateLimited limited:
                return TooMany(ErrorCodes.RateLimited, $"This key may submit {limited.Limit} messages a minute.", limited.Limit, limited.RetryAfter, "submissions_per_minute");
            case AcceptResult.DailyLimitReached daily:
                return TooMany(ErrorCodes.DailyLimitReached, $"The account's {daily.Limit.ToString(CultureInfo.InvariantCulture)} messages a day are used up until midnight UTC.", (int)Math.Min(daily.Limit, int.MaxValue), daily.RetryAfter, "daily_messages");
            case AcceptResult.RecipientDailyCapReached cap:
                return TooMany(ErrorCodes.RecipientDailyCap, $"This recipient has had {cap.Cap} messages today, the daily cap.", cap.Cap, cap.RetryAfter, "recipient_daily_cap");
            case AcceptResult.RecipientOptedOut:
                return ApiResults.Error(new ApiError(403, ErrorCodes.RecipientOptedOut, $"{send.Recipient} opted out of this account's messages (they sent a stop word).", "Nothing is sent to them until they send START, or you record their consent again with POST /api/optin."));
            case AcceptResult.RecipientNotOptedIn:
                return ApiResults.Error(new ApiError(403, ErrorCodes.RecipientNotOptedIn, $"This account's plan sends only to recipients who opted in, and {send.Recipient} has not.", "Record their consent with POST /api/optin first."));
            case AcceptResult.OtpCooldown cooldown:
                return TooMany(ErrorCodes.OtpCooldown, "An OTP was sent to this recipient moments ago; wait before sending another.", 1, cooldown.RetryAfter, "otp_cooldown");
            case AcceptResult.Accepted accepted:
                // Committed: the enqueue gets a budget of its own instead of the request's token, so a
                // deadline or a hang-up now cannot turn an accepted send into an error, and a slow queue
                // cannot hold the answer: past the budget the outbox sweeper enqueues it.
                using (var budget = new CancellationTokenSource(EnqueueBudget, time))
                {
                    await EnqueueAsync(command, accepted.Message.ScheduledFor, budget.Token);
                }

                WaTelemetry.MessagesAccepted.Add(1, WaTelemetry.Tag("message_type", send.Content.Type.ToWire()), WaTelemetry.Tag("lane", send.Priority.Lane.ToWire()));
                LogAccepted(logger, command.MessageId, caller.Account.Id, send.Content.Type.ToWire(), send.Priority.Label);
                return new RawJsonResult(accepted.Response.Status, accepted.Response.Body);
            default:
                throw new InvalidOperationException($"Unexpected accept result {result.GetType().Name}.");
        }
    }

    /// <summary>How long the answer to an accepted send may wait for its enqueue before leaving it to the outbox sweeper.</summary>
    private static readonly TimeSpan EnqueueBudget = TimeSpan.FromSeconds(1);

    private static JsonApiResult TooMany(string code, string message, int limit, TimeSpan retryAfter, string limitName)
    {
        WaTelemetry.RateLimitRejections.Add(1, WaTelemetry.Tag("limit", limitName));
        var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return ApiResults.Error(new ApiError(429, code, message, $"Retry after {seconds} s."), new Dictionary<string, string>
        {
            ["Retry-After"] = seconds,
            ["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture),
            ["RateLimit-Remaining"] = "0",
            ["RateLimit-Reset"] = seconds,
        });
    }

    private async Task EnqueueAsync(SendCommand command, DateTimeOffset? notBefore, CancellationToken cancellationToken)
    {
        try
        {
            await queue.EnqueueAsync(command, notBefore, cancellationToken);
            // Its outbox row goes in a later batch, off this request's path.
            outbox.Complete(command.AccountId, command.MessageId);
        }
        catch (Exception e)
        {
            // Accepted and durable: the outbox sweeper enqueues it.
            LogEnqueueDeferred(logger, e, command.MessageId);
        }
    }

    private static StoredResponse Respond(MessageRecord message, long remainingQuota)
    {
        var body = new SendAccepted(
            true,
            "Message queued for delivery.",
            new SendAcceptedData(
                message.MessageId,
                message.Recipient,
                message.Content.Type.ToWire(),
                message.Priority.Value,
                message.Priority.Label,
                message.Status.ToWire(),
                message.AcceptedAt,
                remainingQuota,
                message.ScheduledFor is { } at
                    ? $"Scheduled for {at:O}: the previous message to this recipient was less than the minimum gap ago. Follow it at GET /api/messages/{message.MessageId}."
                    : $"Delivery is asynchronous. Follow it at GET /api/messages/{message.MessageId}.",
                message.ScheduledFor));
        return new StoredResponse(StatusCodes.Status202Accepted, JsonSerializer.Serialize(body, WireJson.Options));
    }

    [LoggerMessage(LogLevel.Information, "Accepted {MessageId} for account {AccountId}: {MessageType}, priority {Priority}")]
    private static partial void LogAccepted(ILogger logger, string messageId, string accountId, string messageType, string priority);

    [LoggerMessage(LogLevel.Warning, "Enqueue of {MessageId} failed; the outbox sweeper will enqueue it")]
    private static partial void LogEnqueueDeferred(ILogger logger, Exception exception, string messageId);
}

public sealed record SendAccepted(bool Success, string Message, SendAcceptedData Data);

public sealed record SendAcceptedData(
    string QueueId,
    string Recipient,
    string MessageType,
    int Priority,
    string PriorityLabel,
    string Status,
    DateTimeOffset Timestamp,
    long RemainingQuota,
    string Note,
    DateTimeOffset? ScheduledAt);
