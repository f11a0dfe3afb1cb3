using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.Sandbox;

/// <summary>
/// The session side of the simulated WhatsApp: QR and pair-code pairing completed by a scan or
/// after a delay, credentials that resume without pairing, and injectable trouble (dropped
/// connections, refused connects, a zombie that is connected but cannot send), all on the
/// injected clock.
/// </summary>
public sealed partial class SandboxEngine : IWhatsAppSessionEngine
{
    private readonly ConcurrentDictionary<string, SandboxSession> _sessions = new();
    private readonly ConcurrentQueue<string> _checked = new();
    private long _inboundSequence;

    public Task ConnectAsync(string sessionId, byte[]? credentials, CancellationToken cancellationToken)
    {
        var session = _sessions.GetOrAdd(sessionId, _ => new SandboxSession());
        session.CancelPairing();
        if (Interlocked.Decrement(ref session.RefusedConnects) >= 0)
        {
            return sink.OnEventAsync(new SessionDisconnected(sessionId, time.GetUtcNow(), "connection refused (sandbox)"), cancellationToken);
        }

        Interlocked.Exchange(ref session.RefusedConnects, 0);
        if (credentials is not null && session.Credentials is not null && credentials.AsSpan().SequenceEqual(session.Credentials))
        {
            // A fresh connection is what cures a zombie.
            session.Zombie = false;
            session.Connected = true;
            return sink.OnEventAsync(new SessionConnected(sessionId, time.GetUtcNow(), credentials, session.Phone), cancellationToken);
        }

        StartPairing(sessionId, session, null);
        return Task.CompletedTask;
    }

    public Task RequestPairCodeAsync(string sessionId, string phone, CancellationToken cancellationToken)
    {
        var session = _sessions.GetOrAdd(sessionId, _ => new SandboxSession());
        session.CancelPairing();
        StartPairing(sessionId, session, phone);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Somebody sends the session a message: reported as an <see cref="InboundMessage"/> with a fresh
    /// engine id, or the given one (to test that a repeat is stored once). False when the session is
    /// not connected, as a real phone receives nothing then.
    /// </summary>
    public async Task<bool> ReceiveAsync(string sessionId, string from, string type, string? text, string? replyId = null, string? engineMessageId = null, string? profileName = null, CancellationToken cancellationToken = default)
    {
        if (!_sessions.TryGetValue(sessionId, out var session) || !session.Connected)
        {
            return false;
        }

        var id = engineMessageId ?? $"sbx.in.{Interlocked.Increment(ref _inboundSequence):D8}";
        await sink.OnEventAsync(new InboundMessage(sessionId, time.GetUtcNow(), id, from, type, text, replyId, null, profileName), cancellationToken);
        return true;
    }

    public Task<IReadOnlyList<GroupInfo>> ListGroupsAsync(string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<GroupInfo>>([.. options.Value.Groups.Select(g => new GroupInfo(g.Id, g.Name, g.Participants))]);

    /// <summary>Every number is on WhatsApp but those in Sandbox:UnregisteredNumbers; the answers are remembered so a test can count the checks that reached the engine.</summary>
    public Task<IReadOnlyList<NumberCheck>> CheckNumbersAsync(string sessionId, IReadOnlyList<string> numbers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var answers = numbers.Select(n => options.Value.UnregisteredNumbers.Contains(n)
            ? new NumberCheck(n, false, null)
            : new NumberCheck(n, true, n.TrimStart('+'))).ToList();
        foreach (var answer in answers)
        {
            _checked.Enqueue(answer.Number);
        }

        return Task.FromResult<IReadOnlyList<NumberCheck>>(answers);
    }

    /// <summary>Every number a number check asked the Sandbox about, in order.</summary>
    public IReadOnlyCollection<string> Checked => _checked;

    public Task<bool> ProbeAsync(string sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(_sessions.TryGetValue(sessionId, out var s) && s.Connected && !s.Zombie);

    public Task LogoutAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_sessions.TryRemove(sessionId, out var session))
        {
            session.CancelPairing();
        }

        return sink.OnEventAsync(new SessionLoggedOut(sessionId, time.GetUtcNow(), "logged out"), cancellationToken);
    }

    public Task DisconnectAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (_sessions.TryGetValue(sessionId, out var session))
        {
            session.CancelPairing();
            session.Connected = false;
        }

        return Task.CompletedTask;
    }

    /// <summary>The phone scanned the QR code (or typed the pair code): pairing completes.</summary>
    public bool Scan(string sessionId, string phone = "+15550000000") =>
        _sessions.TryGetValue(sessionId, out var session) && session.Scanned.TrySetResult(phone);

    /// <summary>The connection drops, as a network blip or WhatsApp would drop it.</summary>
    public Task DropAsync(string sessionId, string reason = "connection lost (sandbox)")
    {
        if (_sessions.TryGetValue(sessionId, out var session))
        {
            session.Connected = false;
        }

        return sink.OnEventAsync(new SessionDisconnected(sessionId, time.GetUtcNow(), reason), CancellationToken.None);
    }

    /// <summary>The next <paramref name="times"/> connects are refused.</summary>
    public void RefuseConnects(string sessionId, int times) =>
        Interlocked.Exchange(ref _sessions.GetOrAdd(sessionId, _ => new SandboxSession()).RefusedConnects, times);

    /// <summary>Connected, but sends go nowhere: the liveness probe must notice.</summary>
    public void SetZombie(string sessionId, bool zombie) => _sessions.GetOrAdd(sessionId, _ => new SandboxSession()).Zombie = zombie;

    public bool IsConnected(string sessionId) => _sessions.TryGetValue(sessionId, out var s) && s.Connected;

    private void StartPairing(string sessionId, SandboxSession session, string? pairCodePhone)
    {
        session.Connected = false;
        session.Zombie = false;
        var pairing = new CancellationTokenSource();
        session.Pairing = pairing;
        session.Scanned = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = PairAsync(sessionId, session, pairCodePhone, pairing.Token);
    }

    private async Task PairAsync(string sessionId, SandboxSession session, string? pairCodePhone, CancellationToken cancellationToken)
    {
        var o = options.Value;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
            var token = linked.Token;
            var auto = o.AutoPairAfter is { } after ? Task.Delay(after, time, token) : Task.Delay(Timeout.InfiniteTimeSpan, token);
            if (pairCodePhone is not null)
            {
                var code = RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTVWXYZ0123456789", 8);
                await sink.OnEventAsync(new PairCodeIssued(sessionId, time.GetUtcNow(), code, pairCodePhone), token);
            }

            while (true)
            {
                if (pairCodePhone is null)
                {
                    var qr = "sbx-qr@" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
                    await sink.OnEventAsync(new QrCodeIssued(sessionId, time.GetUtcNow(), qr, time.GetUtcNow() + o.QrRefreshInterval), token);
                }

                var refresh = Task.Delay(o.QrRefreshInterval, time, token);
                var done = await Task.WhenAny(session.Scanned.Task, auto, refresh);
                if (done == refresh)
                {
                    continue;
                }

                if (done == auto)
                {
                    await auto;
                }

                var phone = session.Scanned.Task.IsCompletedSuccessfully ? session.Scanned.Task.Result : pairCodePhone ?? "+15550000000";
                session.Credentials = Encoding.UTF8.GetBytes("sbx-cred:" + sessionId + ":" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
                session.Phone = phone;
                session.Connected = true;
                await sink.OnEventAsync(new SessionConnected(sessionId, time.GetUtcNow(), session.Credentials, phone), token);
                return;
            }
        }
        catch (OperationCanceledException)
        {
            // Pairing cancelled: a new connect, a logout, or shutdown.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private sealed class SandboxSession
    {
        public int RefusedConnects;

        public volatile bool Connected;

        public volatile bool Zombie;

        public byte[]? Credentials { get; set; }

        public string? Phone { get; set; }

        public CancellationTokenSource? Pairing { get; set; }

        public TaskCompletionSource<string> Scanned { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void CancelPairing()
        {
            var pairing = Pairing;
            Pairing = null;
            pairing?.Cancel();
            pairing?.Dispose();
        }
    }
}
