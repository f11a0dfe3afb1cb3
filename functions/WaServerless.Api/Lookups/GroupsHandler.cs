using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Engines;
using WaServerless.Core.Sessions;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Lookups;

/// <summary>
/// GET /api/groups: the groups a session's number is in (id, name, participants), as its engine
/// listed them within Lookups:GroupsMaxAge, or listed again now (refresh=true, or an older list).
/// </summary>
public sealed class GroupsHandler(SessionStore sessions, GroupDirectory directory, IOptions<LookupOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public async Task<IActionResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await ListAsync(request.Caller(), request.Query["session"].ToString(), QueryFlags.Read(request, "refresh"), cancellationToken);
    }

    /// <summary>The groups of <paramref name="sessionId"/> (the default session when empty), however the caller's API named it.</summary>
    public async Task<IActionResult> ListAsync(WaServerless.Core.Accounts.Caller caller, string? sessionId, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var session = await LookupSessions.RequireAsync(sessions, caller.Account, sessionId, c => c.Groups, "list groups", cancellationToken);

        var listing = await directory.GetAsync(session.Key, cancellationToken);
        if (listing is not null && !refresh && time.GetUtcNow() - listing.ListedAt <= options.Value.GroupsMaxAge)
        {
            return ApiResults.Ok(GroupsView.Of(session.SessionId, listing));
        }

        if (session.State != SessionState.Connected)
        {
            throw LookupSessions.Disconnected(session);
        }

        var asked = time.GetUtcNow();
        await sessions.RequestGroupsAsync(session.AccountId, session.SessionId, cancellationToken);
        var deadline = asked + options.Value.Wait;
        while (time.GetUtcNow() < deadline)
        {
            await Task.Delay(Poll, time, cancellationToken);
            if (await directory.GetAsync(session.Key, cancellationToken) is { } fresh && fresh.ListedAt >= asked)
            {
                return ApiResults.Ok(GroupsView.Of(session.SessionId, fresh));
            }
        }

        // No answer in time: the last list when there is one (its listed_at says how old), else "requested".
        return listing is not null
            ? ApiResults.Ok(GroupsView.Of(session.SessionId, listing))
            : new JsonApiResult(StatusCodes.Status202Accepted, new DataResponse<GroupsView>(true, new GroupsView(session.SessionId, null, [], "requested")), new Dictionary<string, string> { ["Retry-After"] = "5" });
    }
}

public sealed record GroupView(string Id, string Name, int Participants);

/// <param name="Status">"listed", or "requested" while the connector has yet to answer.</param>
public sealed record GroupsView(string Session, DateTimeOffset? ListedAt, IReadOnlyList<GroupView> Groups, string Status)
{
    public static GroupsView Of(string session, GroupListing listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        return new(session, listing.ListedAt, [.. listing.Groups.OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase).Select(g => new GroupView(g.Id, g.Name, g.Participants))], "listed");
    }
}

/// <summary>A boolean query parameter: true, 1 or yes; anything else but absent is a 400.</summary>
internal static class QueryFlags
{
    public static bool Read(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString().Trim().ToLowerInvariant();
        return value switch
        {
            "" or "false" or "0" or "no" => false,
            "true" or "1" or "yes" => true,
            _ => throw new WaServerless.Core.Errors.ApiErrorException(WaServerless.Core.Errors.ApiError.BadRequest(WaServerless.Core.Errors.ErrorCodes.InvalidField, $"{name} must be true or false.")),
        };
    }
}
