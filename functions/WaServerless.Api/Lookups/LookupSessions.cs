using WaServerless.Api.Sessions;
using WaServerless.Core.Engines;
using WaServerless.Core.Errors;
using WaServerless.Core.Sessions;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Lookups;

/// <summary>The session a lookup goes through: the account's, on an engine that can answer it, and connected.</summary>
internal static class LookupSessions
{
    public static async Task<SessionRecord> RequireAsync(SessionStore sessions, WaServerless.Core.Accounts.Account account, string? sessionId, Func<EngineCapabilities, bool> can, string what, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(sessionId) ? account.DefaultSessionId : sessionId.Trim();
        var session = await sessions.RequireAsync(account.Id, name, cancellationToken);
        if (EngineCapabilities.For(session.Engine) is { } capabilities && !can(capabilities))
        {
            throw new ApiErrorException(new ApiError(422, ErrorCodes.FeatureNotSupported, $"WhatsApp session '{session.SessionId}' runs on the {session.Engine} engine, which cannot {what}.", "Use a waha session (WhatsApp Web) for this."));
        }

        return session;
    }

    public static ApiErrorException Disconnected(SessionRecord session) =>
        new(new ApiError(503, ErrorCodes.WhatsAppDisconnected, $"WhatsApp session '{session.SessionId}' is {session.State.ToWire()}; only a connected session can ask WhatsApp.", "Try again once it is connected."));
}
