namespace WaServerless.Core.Engines;

/// <summary>
/// The session side of an engine: pairing, keeping the connection, proving it can still send, and
/// logging out. Outcomes arrive later as <see cref="EngineEvent"/>s on the sink (QR codes, pair
/// codes, connected, disconnected, logged out), as they do from a real WhatsApp connection.
/// </summary>
public interface IWhatsAppSessionEngine
{
    /// <summary>Connects with saved credentials, or starts pairing when there are none (or they are refused).</summary>
    Task ConnectAsync(string sessionId, byte[]? credentials, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the engine the session's own address (a Cloud API session's phone number id) before it
    /// connects; engines whose sessions have no such address ignore it.
    /// </summary>
    void UseAddress(string sessionId, string? address)
    {
    }

    /// <summary>
    /// Asks for a pair code for <paramref name="phone"/> instead of a QR code. An engine without
    /// <see cref="PairingMethods.PairCode"/> throws <see cref="EngineCapabilityException"/>.
    /// </summary>
    Task RequestPairCodeAsync(string sessionId, string phone, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the session can send right now: not only that its socket is open. A session that
    /// reports connected but fails this is a zombie and is reconnected.
    /// </summary>
    Task<bool> ProbeAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Ends the session at WhatsApp's side too: its credentials stop working.</summary>
    Task LogoutAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>Closes the connection but keeps the credentials (shutdown, or the lease went to another replica).</summary>
    Task DisconnectAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary>The groups the connected session's number is in. An engine without groups refuses (<see cref="EngineCapabilities.Groups"/>).</summary>
    Task<IReadOnlyList<GroupInfo>> ListGroupsAsync(string sessionId, CancellationToken cancellationToken) =>
        Task.FromException<IReadOnlyList<GroupInfo>>(EngineCapabilityException.For(GetType().Name, "list groups"));

    /// <summary>
    /// Whether each E.164 number is on WhatsApp, one answer per number in order. An engine without
    /// number checks refuses (<see cref="EngineCapabilities.NumberChecks"/>).
    /// </summary>
    Task<IReadOnlyList<NumberCheck>> CheckNumbersAsync(string sessionId, IReadOnlyList<string> numbers, CancellationToken cancellationToken) =>
        Task.FromException<IReadOnlyList<NumberCheck>>(EngineCapabilityException.For(GetType().Name, "check numbers"));
}

/// <summary>A WhatsApp group a session's number is in.</summary>
public sealed record GroupInfo(string Id, string Name, int Participants);

/// <param name="Number">The number asked about, E.164.</param>
/// <param name="WaId">Its WhatsApp id (the digits WhatsApp knows it by) when it exists.</param>
public sealed record NumberCheck(string Number, bool Exists, string? WaId);

public sealed record QrCodeIssued(string SessionId, DateTimeOffset At, string Code, DateTimeOffset ExpiresAt) : EngineEvent(SessionId, At);

public sealed record PairCodeIssued(string SessionId, DateTimeOffset At, string Code, string Phone) : EngineEvent(SessionId, At);

/// <summary>
/// Connected; <paramref name="Credentials"/> are what a later ConnectAsync needs to resume without
/// pairing, or null for an engine whose sessions have none to keep (the Cloud API).
/// </summary>
public sealed record SessionConnected(string SessionId, DateTimeOffset At, byte[]? Credentials, string? Phone) : EngineEvent(SessionId, At);

public sealed record SessionDisconnected(string SessionId, DateTimeOffset At, string Reason) : EngineEvent(SessionId, At);

public sealed record SessionLoggedOut(string SessionId, DateTimeOffset At, string Reason) : EngineEvent(SessionId, At);
