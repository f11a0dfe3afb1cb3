using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Storage.Messages;
using WaServerless.Workflows;
using WaServerless.Workflows.Signals;
using WaServerless.Core.Text;

namespace WaServerless.Api.Messages;

/// <summary>GET /api/messages/{queue_id} and GET /api/messages: status and history, only ever of the caller's own account.</summary>
public sealed partial class MessagesHandler(MessageStore messages, WorkflowDispatcher workflows, WaServerless.Queues.SendCommandQueue queue, OutboxCompletions outbox, TimeProvider time, ILogger<MessagesHandler> logger)
{
    /// <summary>
    /// POST /api/messages/{queue_id}/cancel: a message not yet handed to WhatsApp (scheduled, queued,
    /// or waiting for a retry) is cancelled and its waiting retry stops; one already sent is 409.
    /// </summary>
    public async Task<IActionResult> CancelAsync(HttpRequest request, string queueId, IWorkflowClient client, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var (record, changed) = await messages.TryAdvanceAsync(caller.Account.Id, queueId, new StatusUpdate(MessageStatus.Cancelled, time.GetUtcNow(), Detail: "cancelled by the caller"), cancellationToken);
        if (record is null)
        {
            return ApiResults.Error(new ApiError(404, ErrorCodes.MessageNotFound, $"No message '{Clip.Preview(queueId)}' in this account."));
        }

        if (!changed && record.Status != MessageStatus.Cancelled)
        {
            return ApiResults.Error(new ApiError(409, ErrorCodes.MessageNotCancellable, $"The message is {record.Status.ToWire()}; only scheduled or queued messages can be cancelled."));
        }

        await workflows.CancelMessageRetryAsync(client, caller.Account.Id, queueId, "cancelled by the caller", cancellationToken);
        return ApiResults.Ok(MessageView.From(record));
    }

    /// <summary>
    /// POST /api/messages/{queue_id}/resend: a failed message goes out again as its next attempt (its
    /// history kept); any other status answers 409 with the status it has.
    /// </summary>
    public async Task<IActionResult> ResendAsync(HttpRequest request, string queueId, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var (record, command) = await messages.ResendAsync(caller.Account.Id, queueId, System.Diagnostics.Activity.Current?.Id, cancellationToken);
        if (record is null)
        {
            return ApiResults.Error(new ApiError(404, ErrorCodes.MessageNotFound, $"No message '{Clip.Preview(queueId)}' in this account."));
        }

        if (command is null)
        {
            return ApiResults.Error(new ApiError(409, ErrorCodes.MessageNotResendable, $"The message is {record.Status.ToWire()}; only failed messages can be resent.", "Send a new message with POST /api/send."));
        }

        // Stored with its outbox row: an enqueue that fails now is the sweeper's to finish.
        try
        {
            await queue.EnqueueAsync(command, null, cancellationToken);
            outbox.Complete(command.AccountId, command.MessageId);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEnqueueDeferred(logger, e, command.MessageId);
        }

        return new JsonApiResult(StatusCodes.Status202Accepted, new DataResponse<MessageView>(true, MessageView.From(record)));
    }

    [LoggerMessage(LogLevel.Warning, "Resent message {MessageId} stored; its enqueue is left to the outbox sweeper")]
    private static partial void LogEnqueueDeferred(ILogger logger, Exception exception, string messageId);

    public const int DefaultLimit = 20;
    public const int MaxLimit = 1000;

    public async Task<IActionResult> GetAsync(HttpRequest request, string queueId, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var message = await messages.GetAsync(caller.Account.Id, queueId, cancellationToken);
        return message is null
            ? ApiResults.Error(new ApiError(404, ErrorCodes.MessageNotFound, $"No message '{Clip.Preview(queueId)}' in this account."))
            : ApiResults.Ok(MessageView.From(message));
    }

    public async Task<IActionResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var q = request.Query;

        var limit = QueryLimit.Read(q, DefaultLimit, MaxLimit, ErrorCodes.InvalidQuery);

        MessageStatus? status = null;
        if (q.TryGetValue("status", out var statusText))
        {
            status = MessageStatusRules.TryParse(statusText.ToString(), out var parsedStatus)
                ? parsedStatus
                : throw Invalid($"Unknown status '{Clip.Preview(statusText.ToString())}'.", "One of: " + string.Join(", ", Enum.GetValues<MessageStatus>().Select(s => s.ToWire())) + ".");
        }

        string? recipient = null;
        if (q.TryGetValue("recipient", out var recipientText))
        {
            recipient = PhoneNumberNormalizer.TryNormalize(recipientText.ToString())
                ?? throw Invalid($"recipient '{Clip.Preview(recipientText.ToString())}' is not a valid phone number.");
        }

        var from = Time(q, "from");
        var to = Time(q, "to");
        if (from > to)
        {
            throw Invalid("from is later than to.");
        }

        string? cursor = null;
        if (q.TryGetValue("cursor", out var cursorText))
        {
            cursor = DecodeCursor(cursorText.ToString()) ?? throw Invalid("cursor is not one this API gave out.", "Pass next_cursor from the previous page as it is.");
        }

        var page = await messages.ListAsync(caller.Account.Id, new MessageQuery(status, recipient, from, to), limit, cursor, cancellationToken);
        return ApiResults.Ok(new MessageListView(page.Items.Select(MessageView.From).ToList(), page.NextCursor is null ? null : EncodeCursor(page.NextCursor)));
    }

    private static DateTimeOffset? Time(IQueryCollection q, string name)
    {
        if (!q.TryGetValue(name, out var text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw Invalid($"{name} must be an ISO 8601 time, for example 2026-11-23T14:00:00Z.");
    }

    private static string EncodeCursor(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    private static string? DecodeCursor(string cursor)
    {
        try
        {
            var token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(cursor));
            return token.Length > 0 && !token.Any(char.IsControl) ? token : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static ApiErrorException Invalid(string message, string? hint = null) => new(ApiError.BadRequest(ErrorCodes.InvalidQuery, message, hint));

}

public sealed record StatusChangeView(string Status, DateTimeOffset At, int Attempt, string? Detail);

public sealed record MessageView(
    string QueueId,
    string Recipient,
    string MessageType,
    int Priority,
    string PriorityLabel,
    string Status,
    int Attempts,
    string? EngineMessageId,
    string? FailureReason,
    string? IdempotencyKey,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ScheduledAt,
    IReadOnlyList<StatusChangeView> History)
{
    public static MessageView From(MessageRecord m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new MessageView(
            m.MessageId,
            m.Recipient,
            m.Content.Type.ToWire(),
            m.Priority.Value,
            m.Priority.Label,
            m.Status.ToWire(),
            m.Attempts,
            m.EngineMessageId,
            m.FailureReason,
            m.IdempotencyKey,
            m.AcceptedAt,
            m.UpdatedAt,
            m.ScheduledFor,
            m.History.Select(h => new StatusChangeView(h.Status.ToWire(), h.At, h.Attempt, h.Detail)).ToList());
    }
}

public sealed record MessageListView(IReadOnlyList<MessageView> Items, string? NextCursor);
