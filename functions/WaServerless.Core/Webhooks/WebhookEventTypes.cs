namespace WaServerless.Core.Webhooks;

/// <summary>
/// The event types a webhook endpoint can subscribe to, as they appear in the payload's "type"
/// and the X-WaServerless-Event-Type header. Never rename one: receivers switch on them.
/// </summary>
public static class WebhookEventTypes
{
    /// <summary>A sent message changed status: queued, sending, sent, delivered, read, failed, cancelled.</summary>
    public const string MessageStatus = "message.status";

    /// <summary>Somebody sent a message to one of the account's sessions.</summary>
    public const string MessageInbound = "message.inbound";

    /// <summary>A session changed state: pairing, connected, disconnected, logged_out, failed.</summary>
    public const string SessionState = "session.state";

    /// <summary>A recipient opted out (sent a stop word) or back in (a start word).</summary>
    public const string ContactConsent = "contact.consent";

    /// <summary>Sent by POST /api/webhooks/{id}/test only; nobody subscribes to it.</summary>
    public const string Ping = "ping";

    /// <summary>Every type, including ones added later.</summary>
    public const string All = "*";

    public static IReadOnlyList<string> Subscribable { get; } = [MessageStatus, MessageInbound, SessionState, ContactConsent];

    /// <summary>
    /// Reads a subscription list: each entry trimmed and lower-cased, duplicates removed, "*" alone
    /// when it is present. Returns the first unknown entry instead when there is one.
    /// </summary>
    public static (IReadOnlyList<string>? Types, string? Unknown) Normalize(IEnumerable<string> requested)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var types = new List<string>();
        foreach (var raw in requested)
        {
            var type = raw.Trim().ToLowerInvariant();
            if (type.Length == 0)
            {
                continue;
            }

            if (type != All && !Subscribable.Contains(type))
            {
                return (null, raw.Trim());
            }

            if (!types.Contains(type))
            {
                types.Add(type);
            }
        }

        return types.Contains(All) ? ([All], null) : (types, null);
    }

    public static bool Matches(IReadOnlyCollection<string> subscribed, string type)
    {
        ArgumentNullException.ThrowIfNull(subscribed);
        return subscribed.Contains(All) || subscribed.Contains(type);
    }
}
