using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.Waha;

/// <summary>
/// Sessions in the WAHA sidecar. Connecting creates (or updates and starts) the WAHA session with a
/// webhook back to this connector signed by the session's own HMAC key; WAHA's statuses then arrive
/// by webhook, and until the session is WORKING they are also polled, with the QR code, because a
/// lost webhook must not leave a session waiting forever. WORKING alone proves nothing (WAHA's users
/// see sessions that stay WORKING and stop sending), so the liveness probe asks for the session's own
/// profile and checks its own number through it. Disconnecting stops the session in this replica's
/// WAHA and keeps its files, so the replica that takes the lease resumes it without a new scan.
/// </summary>
public sealed partial class WahaSessionEngine(WahaClient client, IEngineEventSink sink, IOptions<WahaOptions> options, TimeProvider time, ILogger<WahaSessionEngine> logger)
    : IWhatsAppSessionEngine, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Tracked> _byName = new(StringComparer.Ordinal);

    /// <summary>Our session key for a WAHA session name this connector runs; null when it runs no such session.</summary>
    public string? KeyOf(string sessionName) => _byName.TryGetValue(sessionName, out var tracked) ? tracked.Key : null;

    public async Task ConnectAsync(string sessionId, byte[]? credentials, CancellationToken cancellationToken)
    {
        var name = WahaSessionNames.Of(sessionId);
        var tracked = Track(sessionId, name);
        try
        {
            await client.CreateOrStartAsync(name, ConfigOf(sessionId, name), cancellationToken);
        }
        catch (WahaCallException e)
        {
            await sink.OnEventAsync(new SessionDisconnected(sessionId, time.GetUtcNow(), e.Message), cancellationToken);
            return;
        }

        LogStarted(logger, sessionId, name);
        tracked.StartWatching(this);
    }

    public async Task RequestPairCodeAsync(string sessionId, string phone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(phone);
        var name = WahaSessionNames.Of(sessionId);
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        try
        {
            if (await client.RequestCodeAsync(name, digits, cancellationToken) is { Length: > 0 } code)
            {
                await sink.OnEventAsync(new PairCodeIssued(sessionId, time.GetUtcNow(), code, phone), cancellationToken);
            }
        }
        catch (WahaCallException e)
        {
            LogPairCodeFailed(logger, sessionId, e.Message);
        }
    }

    public async Task<bool> ProbeAsync(string sessionId, CancellationToken cancellationToken)
    {
        var name = WahaSessionNames.Of(sessionId);
        try
        {
            var info = await client.GetSessionAsync(name, cancellationToken);
            if (info?.Status != WahaStatuses.Working)
            {
                return false;
            }

            var me = await client.GetMeAsync(name, cancellationToken) ?? info.MeId;
            var digits = WahaIds.PhoneOf(me)?[1..];
            return digits is not null && await client.NumberExistsAsync(name, digits, cancellationToken);
        }
        catch (WahaCallException e)
        {
            LogProbeFailed(logger, sessionId, e.Message);
            return false;
        }
    }

    public Task<IReadOnlyList<GroupInfo>> ListGroupsAsync(string sessionId, CancellationToken cancellationToken) =>
        client.GetGroupsAsync(WahaSessionNames.Of(sessionId), cancellationToken);

    /// <summary>WAHA checks one number per request; the caller sends them in modest batches.</summary>
    public async Task<IReadOnlyList<NumberCheck>> CheckNumbersAsync(string sessionId, IReadOnlyList<string> numbers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(numbers);
        var name = WahaSessionNames.Of(sessionId);
        var answers = new List<NumberCheck>(numbers.Count);
        foreach (var number in numbers)
        {
            var (exists, chatId) = await client.CheckExistsAsync(name, number.TrimStart('+'), cancellationToken);
            answers.Add(new NumberCheck(number, exists, exists ? WahaIds.PhoneOf(chatId)?.TrimStart('+') ?? number.TrimStart('+') : null));
        }

        return answers;
    }

    public async Task LogoutAsync(string sessionId, CancellationToken cancellationToken)
    {
        var name = WahaSessionNames.Of(sessionId);
        await UntrackAsync(name);
        await client.LogoutAndDeleteAsync(name, cancellationToken);
    }

    public async Task DisconnectAsync(string sessionId, CancellationToken cancellationToken)
    {
        var name = WahaSessionNames.Of(sessionId);
        await UntrackAsync(name);
        try
        {
            await client.StopAsync(name, cancellationToken);
        }
        catch (WahaCallException e)
        {
            // WAHA down: nothing runs there to stop. The lease, not WAHA, decides ownership.
            LogStopFailed(logger, sessionId, e.Message);
        }
    }

    /// <summary>A verified webhook for session <paramref name="sessionName"/>: its events to the sink.</summary>
    public async Task OnWebhookAsync(WahaWebhookEvent webhook, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var key = KeyOf(webhook.Session) ?? webhook.SessionKey;
        if (key is null)
        {
            LogUnknownSession(logger, webhook.Event, webhook.Session);
            return;
        }

        switch (webhook)
        {
            case { Status: { } status }:
                if (_byName.TryGetValue(webhook.Session, out var tracked))
                {
                    await ReportAsync(tracked, status, webhook.MeId, cancellationToken);
                }

                break;
            case { Inbound: { } inbound }:
                await sink.OnEventAsync(new InboundMessage(key, inbound.At, inbound.Id, inbound.From, inbound.Type, inbound.Text, MediaId: inbound.MediaId, ProfileName: inbound.ProfileName, InReplyTo: inbound.InReplyTo), cancellationToken);
                break;
            case { Ack: { Receipt: { } receipt } ack }:
                await sink.OnEventAsync(new ReceiptEvent(key, ack.At, ack.Id, receipt, receipt == ReceiptKind.Failed ? "WhatsApp reported an error for the message (ack ERROR)" : null), cancellationToken);
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _byName.Keys)
        {
            await UntrackAsync(name);
        }
    }

    private Tracked Track(string key, string name)
    {
        var tracked = new Tracked(key, name);
        if (_byName.TryGetValue(name, out var previous))
        {
            previous.StopWatching();
        }

        _byName[name] = tracked;
        return tracked;
    }

    private async Task UntrackAsync(string name)
    {
        if (_byName.TryRemove(name, out var tracked))
        {
            await tracked.StopWatchingAsync();
        }
    }

    /// <summary>Tells the session's worker what a status means; each status is told once per change, the QR each time it changes.</summary>
    private async Task ReportAsync(Tracked tracked, string status, string? meId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (status == WahaStatuses.ScanQrCode)
        {
            tracked.Status = status;
            string? qr;
            try
            {
                qr = await client.GetQrValueAsync(tracked.Name, cancellationToken);
            }
            catch (WahaCallException e)
            {
                LogPollFailed(logger, tracked.Key, e.Message); // the next poll or webhook asks again
                return;
            }

            if (qr is { Length: > 0 } && qr != tracked.LastQr)
            {
                tracked.LastQr = qr;
                await sink.OnEventAsync(new QrCodeIssued(tracked.Key, now, qr, now + options.Value.QrLifetime), cancellationToken);
            }

            return;
        }

        if (status == tracked.Status)
        {
            return;
        }

        tracked.Status = status;
        switch (status)
        {
            case WahaStatuses.Working:
                tracked.LastQr = null;
                var phone = WahaIds.PhoneOf(meId);
                var marker = JsonSerializer.SerializeToUtf8Bytes(new { engine = EngineNames.Waha, session = tracked.Name, me = meId });
                await sink.OnEventAsync(new SessionConnected(tracked.Key, now, marker, phone), cancellationToken);
                break;
            case WahaStatuses.Failed:
                await sink.OnEventAsync(new SessionDisconnected(tracked.Key, now, "WAHA reports the session FAILED"), cancellationToken);
                break;
            case WahaStatuses.Stopped:
                await sink.OnEventAsync(new SessionDisconnected(tracked.Key, now, "WAHA stopped the session"), cancellationToken);
                break;
        }
    }

    private async Task WatchAsync(Tracked tracked, CancellationToken cancellationToken)
    {
        // Until WORKING: polled, so a lost webhook cannot strand a pairing; then webhooks and the probe take over.
        while (!cancellationToken.IsCancellationRequested && tracked.Status != WahaStatuses.Working)
        {
            try
            {
                if (await client.GetSessionAsync(tracked.Name, cancellationToken) is { } info)
                {
                    await ReportAsync(tracked, info.Status, info.MeId, cancellationToken);
                }
            }
            catch (WahaCallException e)
            {
                LogPollFailed(logger, tracked.Key, e.Message);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPollFailed(logger, tracked.Key, e.Message);
            }

            try
            {
                await Task.Delay(options.Value.StatusPollInterval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private JsonObject ConfigOf(string key, string name)
    {
        var o = options.Value;
        var url = new Uri(o.WebhookBaseUrl, "webhooks/waha/" + name);
        return new JsonObject
        {
            ["metadata"] = new JsonObject { [WahaWebhook.MetadataSessionKey] = key },
            ["webhooks"] = new JsonArray(new JsonObject
            {
                ["url"] = url.AbsoluteUri,
                ["events"] = new JsonArray(WahaWebhook.Events.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray()),
                ["hmac"] = new JsonObject { ["key"] = WahaWebhookSignature.KeyFor(o.ApiKey, name) },
                ["retries"] = new JsonObject { ["policy"] = "exponential", ["delaySeconds"] = 2, ["attempts"] = o.WebhookRetryAttempts },
            }),
        };
    }

    private sealed class Tracked(string key, string name)
    {
        private CancellationTokenSource? _watch;
        private Task _watching = Task.CompletedTask;

        public string Key { get; } = key;

        public string Name { get; } = name;

        public string? Status { get; set; }

        public string? LastQr { get; set; }

        public void StartWatching(WahaSessionEngine engine)
        {
            _watch = new CancellationTokenSource();
            var token = _watch.Token;
            _watching = Task.Run(() => engine.WatchAsync(this, token), CancellationToken.None);
        }

        public void StopWatching() => _watch?.Cancel();

        public async Task StopWatchingAsync()
        {
            StopWatching();
            await _watching;
            _watch?.Dispose();
        }
    }

    [LoggerMessage(LogLevel.Information, "Session {SessionKey} started in WAHA as {WahaSession}")]
    private static partial void LogStarted(ILogger logger, string sessionKey, string wahaSession);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey}: WAHA pair code request failed: {Reason}")]
    private static partial void LogPairCodeFailed(ILogger logger, string sessionKey, string reason);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey}: WAHA liveness probe failed: {Reason}")]
    private static partial void LogProbeFailed(ILogger logger, string sessionKey, string reason);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey}: stopping it in WAHA failed: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string sessionKey, string reason);

    [LoggerMessage(LogLevel.Debug, "Session {SessionKey}: WAHA status poll failed: {Reason}")]
    private static partial void LogPollFailed(ILogger logger, string sessionKey, string reason);

    [LoggerMessage(LogLevel.Debug, "WAHA {Event} for session {WahaSession}, which this connector does not run, ignored")]
    private static partial void LogUnknownSession(ILogger logger, string @event, string wahaSession);
}
