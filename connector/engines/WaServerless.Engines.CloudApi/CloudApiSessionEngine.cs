using System.Collections.Concurrent;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.CloudApi;

/// <summary>
/// Sessions on the Cloud API: there is no socket and no pairing (the number is registered in
/// Meta's WhatsApp Manager), so "connected" means the phone number's health says it can send,
/// and the liveness probe asks again.
/// </summary>
public sealed class CloudApiSessionEngine(CloudApiHealthCheck health, IEngineEventSink sink, TimeProvider time) : IWhatsAppSessionEngine
{
    // Each session's business number (its phone number id); a session without one uses the configured number.
    private readonly ConcurrentDictionary<string, string> _numbers = new();

    public void UseAddress(string sessionId, string? address)
    {
        if (address is null)
        {
            _numbers.TryRemove(sessionId, out _);
        }
        else
        {
            _numbers[sessionId] = address;
        }
    }

    public async Task ConnectAsync(string sessionId, byte[]? credentials, CancellationToken cancellationToken)
    {
        var status = await health.CheckAsync(NumberOf(sessionId), cancellationToken);
        EngineEvent outcome = status.CanSend
            ? new SessionConnected(sessionId, time.GetUtcNow(), null, null)
            : new SessionDisconnected(sessionId, time.GetUtcNow(), status.Problem ?? $"phone number cannot send ({status.Messaging})");
        await sink.OnEventAsync(outcome, cancellationToken);
    }

    public Task RequestPairCodeAsync(string sessionId, string phone, CancellationToken cancellationToken) =>
        throw EngineCapabilityException.For(EngineNames.CloudApi, "pair a phone: register the number in WhatsApp Manager");

    public async Task<bool> ProbeAsync(string sessionId, CancellationToken cancellationToken) =>
        (await health.CheckAsync(NumberOf(sessionId), cancellationToken)).CanSend;

    private string? NumberOf(string sessionId) => _numbers.TryGetValue(sessionId, out var number) ? number : null;

    public Task LogoutAsync(string sessionId, CancellationToken cancellationToken) =>
        sink.OnEventAsync(new SessionLoggedOut(sessionId, time.GetUtcNow(), "logged out (the number stays registered at Meta)"), cancellationToken);

    public Task DisconnectAsync(string sessionId, CancellationToken cancellationToken) => Task.CompletedTask;
}
