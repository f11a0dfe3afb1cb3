namespace WaServerless.Queues;

/// <summary>
/// A transport that can receive one named session's messages only (Service Bus sessions). The
/// connector uses it to take exactly the WhatsApp sessions it owns, each strictly in order, rather
/// than whichever session the broker hands out next.
/// </summary>
public interface ISessionQueueReceiver
{
    /// <summary>
    /// Up to <paramref name="maxMessages"/> of the session's messages on <paramref name="queue"/>,
    /// waiting at most <paramref name="maxWait"/> for the first. Empty when there are none, or when
    /// another receiver still holds the session (its previous owner letting go).
    /// </summary>
    Task<IReadOnlyList<ReceivedMessage>> ReceiveFromSessionAsync(string queue, string sessionId, int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken);

    /// <summary>Lets go of the session on every queue, so that its next owner can take it at once.</summary>
    Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken);
}
