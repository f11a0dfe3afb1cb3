using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace WaServerless.Connector.Sending;

/// <summary>
/// Spaces one session's sends: at most one per SendInterval, each gap stretched or shrunk by up
/// to SendJitter, so traffic does not look machine-regular (the anti-ban default for WhatsApp
/// Web-style engines; the Cloud API's throughput needs none). Reserving a slot is atomic per
/// session, so concurrent senders never share one.
/// </summary>
internal sealed class SessionPacer(IOptions<ConnectorOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _nextSlot = new();

    /// <summary>Takes the session's next slot and returns how long to wait for it (zero when it is free now).</summary>
    public TimeSpan Reserve(string sessionKey)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        if (o.SendInterval <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var gap = o.SendInterval * (1 + (o.SendJitter * ((2 * Random.Shared.NextDouble()) - 1)));
        DateTimeOffset slot = default;
        _nextSlot.AddOrUpdate(
            sessionKey,
            _ => (slot = now) + gap,
            (_, next) => (slot = next > now ? next : now) + gap);
        return slot - now;
    }
}
