using System.Globalization;
using WaServerless.Core.Contracts;
using WaServerless.Core.Sessions;
using WaServerless.Queues;
using WaServerless.Storage.Sessions;

namespace WaServerless.Connector.Sessions;

/// <summary>
/// Publishes every stored session state change on the events queue, so that the Functions app (a
/// different process in Azure) wakes the retries and campaigns waiting for the session and fans the
/// change out to webhooks.
/// </summary>
internal sealed class SessionEventsPublisher(EventsQueue events, TimeProvider time) : ISessionStateListener
{
    public Task OnStateChangedAsync(SessionRecord session, SessionState state, string? reason, string? phone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var at = time.GetUtcNow();
        return events.PublishAsync(
            new SessionStateChanged
            {
                EventId = string.Create(CultureInfo.InvariantCulture, $"{session.Key}.{state.ToWire()}.{at.UtcTicks}"),
                AccountId = session.AccountId,
                SessionId = session.SessionId,
                State = state,
                At = at,
                Phone = phone,
                Reason = reason,
            },
            cancellationToken);
    }
}
