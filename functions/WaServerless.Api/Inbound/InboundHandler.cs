using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Contracts;
using WaServerless.Core.Errors;
using WaServerless.Storage.Inbound;

namespace WaServerless.Api.Inbound;

/// <summary>
/// GET /api/inbound and GET /api/inbound/{id}: messages people sent to the account's sessions,
/// newest first, paged with a cursor (next_before). Webhooks push the same messages as they arrive;
/// this is for catching up and for clients without a public URL.
/// </summary>
public sealed class InboundHandler(InboundMessageStore store)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public async Task<IActionResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var q = request.Query;
        var limit = QueryLimit.Read(q, DefaultLimit, MaxLimit, ErrorCodes.InvalidField);

        var session = q.TryGetValue("session", out var s) && !string.IsNullOrWhiteSpace(s) ? s.ToString() : null;
        var before = q.TryGetValue("before", out var b) && !string.IsNullOrWhiteSpace(b) ? b.ToString() : null;
        if (before is not null && await store.GetAsync(caller.Account.Id, before, cancellationToken) is null)
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, "before must be the id of an inbound message of this account (next_before of the previous page)."));
        }

        var page = await store.ListAsync(caller.Account.Id, session, before, limit, cancellationToken);
        return ApiResults.Ok(new InboundPage([.. page.Select(InboundView.Of)], page.Count == limit ? page[^1].MessageId : null));
    }

    public async Task<IActionResult> GetAsync(HttpRequest request, string messageId, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var message = await store.GetAsync(caller.Account.Id, messageId, cancellationToken);
        return message is null
            ? ApiResults.Error(new ApiError(404, ErrorCodes.MessageNotFound, "No inbound message with that id in this account."))
            : ApiResults.Ok(InboundView.Of(message));
    }
}

public sealed record InboundPage(IReadOnlyList<InboundView> Messages, string? NextBefore);

public sealed record InboundView(
    string Id,
    string Session,
    string From,
    string? FromName,
    string Type,
    string? Text,
    string? ReplyId,
    string? MediaId,
    string? InReplyTo,
    string? EngineMessageId,
    DateTimeOffset ReceivedAt)
{
    public static InboundView Of(InboundMessageReceived m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(m.MessageId, m.SessionId, m.From, m.FromName, m.Type, m.Text, m.ReplyId, m.MediaId, m.InReplyTo, m.EngineMessageId, m.At);
    }
}
