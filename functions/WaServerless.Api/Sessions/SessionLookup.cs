using WaServerless.Core.Errors;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Sessions;

/// <summary>The account's session by name, or the one 404 every route gives for a session it does not have.</summary>
public static class SessionLookup
{
    public static async Task<SessionRecord> RequireAsync(this SessionStore sessions, string accountId, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        return await sessions.GetAsync(accountId, sessionId, cancellationToken) ?? throw NotFound(sessionId);
    }

    /// <summary>The send path's form: a lookup this instance made a moment ago will do (<see cref="Http.ApiOptions.SessionCacheDuration"/>).</summary>
    public static async Task<SessionRecord> RequireRecentAsync(this SessionStore sessions, string accountId, string sessionId, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        return await sessions.GetRecentAsync(accountId, sessionId, maxAge, cancellationToken) ?? throw NotFound(sessionId);
    }

    private static ApiErrorException NotFound(string sessionId) =>
        new(new ApiError(404, ErrorCodes.SessionNotFound, $"The account has no WhatsApp session '{sessionId}'.", "Create one with POST /api/sessions, or list them with GET /api/sessions."));
}
