using WaServerless.Core.Sessions;

namespace WaServerless.Storage.Sessions;

/// <summary>
/// A session as stored: its state, what its owner wants, and what pairing needs to show. Engine is
/// the engine it was created with; null (sessions from before engines were chosen per session) means
/// the connector's default engine.
/// </summary>
public sealed record SessionRecord(
    string AccountId,
    string SessionId,
    string Name,
    SessionState State,
    SessionDesire Desire,
    string? Phone,
    string? LastError,
    string? QrCode,
    DateTimeOffset? QrExpiresAt,
    string? PairCode,
    string? PairCodeRequestPhone,
    DateTimeOffset? PairCodeRequestedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ConnectedAt,
    string? Engine = null,
    DateTimeOffset? ReconnectRequestedAt = null,
    string? EngineAddress = null,
    DateTimeOffset? GroupsRequestedAt = null,
    DateTimeOffset? NumberChecksRequestedAt = null)
{
    public string Key => SessionKey.Of(AccountId, SessionId);
}

/// <summary>One entry of a session's event stream (qr, pair_code, connected, disconnected, logged_out, failed, error).</summary>
public sealed record SessionEventRecord(string Id, string Type, DateTimeOffset At, string Data);
