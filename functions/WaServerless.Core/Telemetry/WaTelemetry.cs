using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WaServerless.Core.Telemetry;

/// <summary>
/// The names Azure Monitor sees: one ActivitySource and one Meter, "WaServerless", shared by the
/// Functions app, the connector and the devhost. The workbook and alerts query these instrument names.
/// </summary>
public static class WaTelemetry
{
    public const string Name = "WaServerless";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> MessagesAccepted = Meter.CreateCounter<long>("waserverless.messages.accepted", "{message}", "Sends accepted by the API");
    public static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>("waserverless.messages.sent", "{message}", "Messages the engine accepted");
    public static readonly Counter<long> MessagesDelivered = Meter.CreateCounter<long>("waserverless.messages.delivered", "{message}", "Delivery receipts");
    public static readonly Counter<long> MessagesRead = Meter.CreateCounter<long>("waserverless.messages.read", "{message}", "Read receipts");
    public static readonly Counter<long> MessagesFailed = Meter.CreateCounter<long>("waserverless.messages.failed", "{message}", "Send failures, transient and permanent");
    public static readonly Counter<long> MessagesInbound = Meter.CreateCounter<long>("waserverless.messages.inbound", "{message}", "Messages received from WhatsApp users");
    public static readonly Histogram<double> QueueAge = Meter.CreateHistogram<double>("waserverless.queue.age", "s", "Time from accept to the connector taking the command");
    public static readonly Histogram<double> SendLatency = Meter.CreateHistogram<double>("waserverless.send.latency", "s", "Time from accept to sent and to delivered");
    public static readonly Counter<long> SessionReconnects = Meter.CreateCounter<long>("waserverless.sessions.reconnects", "{reconnect}", "Reconnects after a lost session");

    /// <summary>Sessions by state, as seen by each connector replica (its own sessions).</summary>
    public static void ObserveSessions(Func<IEnumerable<Measurement<int>>> observe) =>
        Meter.CreateObservableGauge("waserverless.sessions", observe, "{session}", "Owned sessions by state");

    /// <summary>Every webhook delivery attempt, tagged outcome (success, failure) and event_type.</summary>
    public static readonly Counter<long> WebhookDeliveries = Meter.CreateCounter<long>("waserverless.webhooks.deliveries", "{attempt}", "Webhook delivery attempts, successful or not");

    /// <summary>Failed webhook delivery attempts, tagged event_type and reason (http_4xx, http_5xx, http_429, timeout, network_error, blocked, ...).</summary>
    public static readonly Counter<long> WebhookFailures = Meter.CreateCounter<long>("waserverless.webhooks.failures", "{attempt}", "Webhook delivery attempts that failed");

    public static readonly Counter<long> StorageRequests = Meter.CreateCounter<long>("waserverless.storage.requests", "{request}", "Requests to Azure Storage, each try counted, by service and kind");

    public static readonly Counter<long> RateLimitRejections = Meter.CreateCounter<long>("waserverless.ratelimit.rejections", "{request}", "Requests refused by a limit");

    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
