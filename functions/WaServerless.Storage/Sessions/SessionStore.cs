using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Sessions;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Sessions;

/// <summary>
/// Sessions (PartitionKey account id, RowKey session id) and their event log (PartitionKey the
/// session key, RowKey time-ordered), which the SSE endpoint tails. The connector that holds a
/// session's lease writes its state; the API writes only what the owner wants (desire, pair-code
/// requests), so the two never fight over a field.
/// </summary>
public sealed class SessionStore(StorageClients clients, TimeProvider time)
{
    private static long _eventSequence;

    private TableClient Sessions => clients.Table(TableNames.Sessions);

    private TableClient Events => clients.Table(TableNames.SessionEvents);

    /// <summary>Creates the session, or returns the existing one with that id.</summary>
    public Task<(SessionRecord Session, bool Created)> CreateAsync(string accountId, string? sessionId, string name, CancellationToken cancellationToken) =>
        CreateAsync(accountId, sessionId, name, null, null, cancellationToken);

    /// <summary>
    /// Creates the session with the engine that will run it (null: the connector's default) and its own
    /// address at that engine (a Cloud API phone number id; null: the engine's configured one), or
    /// returns the existing one.
    /// </summary>
    public async Task<(SessionRecord Session, bool Created)> CreateAsync(string accountId, string? sessionId, string name, string? engine, string? engineAddress, CancellationToken cancellationToken)
    {
        var id = sessionId ?? "ses_" + RandomNumberGenerator.GetHexString(12, lowercase: true);
        var now = time.GetUtcNow();
        var entity = new TableEntity(accountId, id)
        {
            ["Name"] = name,
            ["State"] = SessionState.Created.ToWire(),
            ["Desire"] = SessionDesire.Active.ToString(),
            ["CreatedAt"] = now,
            ["UpdatedAt"] = now,
        };
        if (engine is not null)
        {
            entity["Engine"] = engine;
        }

        if (engineAddress is not null)
        {
            entity["EngineAddress"] = engineAddress;
        }

        try
        {
            await Sessions.AddEntityAsync(entity, cancellationToken);
            Interlocked.Increment(ref _writes);
            return (FromEntity(entity), true);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return ((await GetAsync(accountId, id, cancellationToken))!, false);
        }
    }

    /// <summary>
    /// The session as read less than <paramref name="maxAge"/> ago by this instance, if no session was
    /// changed through it since; else read now. For the send path, where a state a moment old is good
    /// enough: a send accepted just after its session dropped waits for it like any queued message.
    /// </summary>
    public async Task<SessionRecord?> GetRecentAsync(string accountId, string sessionId, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var writes = Interlocked.Read(ref _writes);
        if (maxAge > TimeSpan.Zero && _recent.TryGetValue((accountId, sessionId), out var cached) && cached.Until > now && cached.Writes == writes)
        {
            return cached.Session;
        }

        var session = await GetAsync(accountId, sessionId, cancellationToken);
        if (maxAge > TimeSpan.Zero && session is not null)
        {
            if (_recent.Count >= MaxRecent)
            {
                _recent.Clear();
            }

            _recent[(accountId, sessionId)] = (session, now + maxAge, writes);
        }

        return session;
    }

    private const int MaxRecent = 10_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string AccountId, string SessionId), (SessionRecord Session, DateTimeOffset Until, long Writes)> _recent = new();

    private long _writes;

    public async Task<SessionRecord?> GetAsync(string accountId, string sessionId, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(sessionId))
        {
            return null;
        }

        var response = await Sessions.GetEntityIfExistsAsync<TableEntity>(accountId, sessionId, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListAsync(string accountId, CancellationToken cancellationToken)
    {
        var list = new List<SessionRecord>();
        await foreach (var e in Sessions.QueryAsync<TableEntity>(x => x.PartitionKey == accountId, cancellationToken: cancellationToken))
        {
            list.Add(FromEntity(e));
        }

        return list;
    }

    /// <summary>Every session of every account: the connector's supervisor scans these to claim owners.</summary>
    public async Task<IReadOnlyList<SessionRecord>> ListAllAsync(CancellationToken cancellationToken)
    {
        var list = new List<SessionRecord>();
        await foreach (var e in Sessions.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            list.Add(FromEntity(e));
        }

        return list;
    }

    /// <summary>The owner's wish; returns false when there is no such session.</summary>
    public Task<bool> SetDesireAsync(string accountId, string sessionId, SessionDesire desire, CancellationToken cancellationToken) =>
        MergeAsync(accountId, sessionId, new() { ["Desire"] = desire.ToString() }, cancellationToken);

    /// <summary>The owner asks a failed or logged-out session to come back: the connector takes it again.</summary>
    public Task<bool> RequestReconnectAsync(string accountId, string sessionId, CancellationToken cancellationToken) =>
        MergeAsync(accountId, sessionId, new() { ["Desire"] = SessionDesire.Active.ToString(), ["ReconnectRequestedAt"] = time.GetUtcNow() }, cancellationToken);

    /// <summary>A new name for the session (its id, key and pairing stay).</summary>
    public Task<bool> RenameAsync(string accountId, string sessionId, string name, CancellationToken cancellationToken) =>
        MergeAsync(accountId, sessionId, new() { ["Name"] = name, ["UpdatedAt"] = time.GetUtcNow() }, cancellationToken);

    /// <summary>Asks the session's owner to list its groups from the engine again (see GroupDirectory).</summary>
    public Task<bool> RequestGroupsAsync(string accountId, string sessionId, CancellationToken cancellationToken) =>
        MergeAsync(accountId, sessionId, new() { ["GroupsRequestedAt"] = time.GetUtcNow() }, cancellationToken);

    /// <summary>Asks the session's owner to answer the account's pending number checks (see NumberCheckStore).</summary>
    public Task<bool> RequestNumberChecksAsync(string accountId, string sessionId, CancellationToken cancellationToken) =>
        MergeAsync(accountId, sessionId, new() { ["NumberChecksRequestedAt"] = time.GetUtcNow() }, cancellationToken);

    public Task<bool> RequestPairCodeAsync(string accountId, string sessionId, string phone, CancellationToken cancellationToken) =>
        MergeAsync(accountId, sessionId, new() { ["PairCodeRequestPhone"] = phone, ["PairCodeRequestedAt"] = time.GetUtcNow(), ["PairCode"] = null }, cancellationToken);

    /// <summary>The owning connector records a state change, and appends it to the event log.</summary>
    public async Task SetStateAsync(string accountId, string sessionId, SessionState state, string? reason, string? phone, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var fields = new Dictionary<string, object?>
        {
            ["State"] = state.ToWire(),
            ["UpdatedAt"] = now,
            ["LastError"] = state is SessionState.Disconnected or SessionState.Failed or SessionState.LoggedOut ? reason : null,
        };
        if (state == SessionState.Connected)
        {
            fields["ConnectedAt"] = now;
            fields["QrCode"] = null;
            fields["PairCode"] = null;
            fields["PairCodeRequestPhone"] = null;
            if (phone is not null)
            {
                fields["Phone"] = phone;
            }
        }

        await MergeAsync(accountId, sessionId, fields, cancellationToken);
        await AppendEventAsync(accountId, sessionId, state.ToWire(), System.Text.Json.JsonSerializer.Serialize(new { state = state.ToWire(), reason, phone }, WaServerless.Core.Contracts.WireJson.Options), cancellationToken);
    }

    public async Task SetQrAsync(string accountId, string sessionId, string code, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await MergeAsync(accountId, sessionId, new() { ["State"] = SessionState.Pairing.ToWire(), ["QrCode"] = code, ["QrExpiresAt"] = expiresAt, ["UpdatedAt"] = time.GetUtcNow() }, cancellationToken);
        await AppendEventAsync(accountId, sessionId, "qr", System.Text.Json.JsonSerializer.Serialize(new { code, expires_at = expiresAt }, WaServerless.Core.Contracts.WireJson.Options), cancellationToken);
    }

    public async Task SetPairCodeAsync(string accountId, string sessionId, string code, string phone, CancellationToken cancellationToken)
    {
        await MergeAsync(accountId, sessionId, new() { ["State"] = SessionState.Pairing.ToWire(), ["PairCode"] = code, ["PairCodeRequestPhone"] = null, ["UpdatedAt"] = time.GetUtcNow() }, cancellationToken);
        await AppendEventAsync(accountId, sessionId, "pair_code", System.Text.Json.JsonSerializer.Serialize(new { code, phone }, WaServerless.Core.Contracts.WireJson.Options), cancellationToken);
    }

    public async Task DeleteAsync(string accountId, string sessionId, CancellationToken cancellationToken)
    {
        await Sessions.DeleteEntityAsync(accountId, sessionId, ETag.All, cancellationToken);
        Interlocked.Increment(ref _writes);
    }

    public async Task AppendEventAsync(string accountId, string sessionId, string type, string data, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        // Time first, then this process's sequence: a session has one writer, and two events in one tick keep their order.
        var id = at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + Interlocked.Increment(ref _eventSequence).ToString("D12", CultureInfo.InvariantCulture);
        await Events.AddEntityAsync(new TableEntity(SessionKey.Of(accountId, sessionId), id) { ["Type"] = type, ["At"] = at, ["Data"] = data }, cancellationToken);
    }

    /// <summary>Events after <paramref name="afterId"/> (exclusive), oldest first.</summary>
    public async Task<IReadOnlyList<SessionEventRecord>> ReadEventsAsync(string accountId, string sessionId, string afterId, CancellationToken cancellationToken)
    {
        var list = new List<SessionEventRecord>();
        var key = SessionKey.Of(accountId, sessionId);
        await foreach (var e in Events.QueryAsync<TableEntity>(x => x.PartitionKey == key && x.RowKey.CompareTo(afterId) > 0, cancellationToken: cancellationToken))
        {
            list.Add(new SessionEventRecord(e.RowKey, e.GetString("Type") ?? "event", e.GetDateTimeOffset("At") ?? default, e.GetString("Data") ?? "{}"));
        }

        return list;
    }

    /// <summary>An event id that sorts before anything appended from now on.</summary>
    public string EventCursorNow() => time.GetUtcNow().UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    private async Task<bool> MergeAsync(string accountId, string sessionId, Dictionary<string, object?> fields, CancellationToken cancellationToken)
    {
        var entity = new TableEntity(accountId, sessionId);
        foreach (var (k, v) in fields)
        {
            // A null is not sent at all by a merge; an empty string clears the field.
            entity[k] = v ?? string.Empty;
        }

        try
        {
            await Sessions.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
            Interlocked.Increment(ref _writes);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    private static SessionRecord FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.RowKey,
        e.GetString("Name") ?? e.RowKey,
        SessionStateNames.TryParse(e.GetString("State"), out var state) ? state : SessionState.Created,
        Enum.TryParse<SessionDesire>(e.GetString("Desire"), out var desire) ? desire : SessionDesire.Active,
        Text(e, "Phone"),
        Text(e, "LastError"),
        Text(e, "QrCode"),
        Time(e, "QrExpiresAt"),
        Text(e, "PairCode"),
        Text(e, "PairCodeRequestPhone"),
        Time(e, "PairCodeRequestedAt"),
        e.GetDateTimeOffset("CreatedAt") ?? default,
        e.GetDateTimeOffset("UpdatedAt") ?? default,
        Time(e, "ConnectedAt"),
        Text(e, "Engine"),
        Time(e, "ReconnectRequestedAt"),
        Text(e, "EngineAddress"),
        Time(e, "GroupsRequestedAt"),
        Time(e, "NumberChecksRequestedAt"));

    private static string? Text(TableEntity e, string name) => e.TryGetValue(name, out var v) && v is string s && s.Length > 0 ? s : null;

    private static DateTimeOffset? Time(TableEntity e, string name) => e.TryGetValue(name, out var v) && v is DateTimeOffset t ? t : null;
}
