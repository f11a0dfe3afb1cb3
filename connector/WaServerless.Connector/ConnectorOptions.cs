using System.ComponentModel.DataAnnotations;
using WaServerless.Core.Sending;

namespace WaServerless.Connector;

internal enum EngineKind
{
    Sandbox,
    CloudApi,
    Waha,
}

/// <summary>Bound from "Connector".</summary>
internal sealed class ConnectorOptions : IValidatableObject
{
    public const string Section = "Connector";

    /// <summary>Whether this process consumes the send lanes (the devhost can run without it).</summary>
    public bool Enabled { get; set; } = true;

    public EngineKind Engine { get; set; } = EngineKind.Sandbox;

    /// <summary>How long to wait before polling again when every lane was empty.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    [Range(1, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>After this many batches from more urgent lanes in a row, one batch comes from a less urgent lane.</summary>
    [Range(1, 1000)]
    public int StarvationLimit { get; set; } = 8;

    /// <summary>Minimum time between two sends of one session; 0 for engines with their own throughput (the Cloud API).</summary>
    public TimeSpan SendInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Each gap varies by up to this fraction either way.</summary>
    [Range(0.0, 0.9)]
    public double SendJitter { get; set; } = 0.3;

    /// <summary>A wait for the session's next slot longer than this gives the command back to the queue instead of holding the consumer.</summary>
    public TimeSpan MaxInlinePacingWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Identifies this replica in logs and leases; defaults to the machine name and process id.</summary>
    public string? ReplicaId { get; set; }

    /// <summary>How often this replica looks for sessions without an owner.</summary>
    public TimeSpan SessionScanInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Blob lease length (15 to 60 s): how long a dead replica keeps its sessions.</summary>
    [Range(typeof(TimeSpan), "00:00:15", "00:01:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often a connected session proves it can still send.</summary>
    public TimeSpan LivenessInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>QR codes are stored and published at most this often, however often the engine refreshes them.</summary>
    public TimeSpan QrMinInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often an owned session re-reads what its owner wants (logout, pair code, delete). Each read
    /// is a storage request per session, so this sets most of an idle connector's storage traffic
    /// (docs/benchmarks.md).
    /// </summary>
    public TimeSpan SessionReconcileInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a session's loop wakes for its periodic duties when no event arrives.</summary>
    public TimeSpan SessionTick { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Reconnects in a row after which the session is failed, not retried (no restart storms).</summary>
    [Range(1, 1000)]
    public int MaxReconnectAttempts { get; set; } = 10;

    /// <summary>
    /// On Service Bus, where each owned session has its own receiver: how long one receive waits for a
    /// lane of the session before looking at the next lane.
    /// </summary>
    public TimeSpan SessionReceiveWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A session that failed (gave up reconnecting) is tried again after this pause, once per pause,
    /// so a long outage heals by itself without a restart storm; zero: only when its owner asks
    /// (POST /api/sessions/{id}/reconnect).
    /// </summary>
    public TimeSpan FailedSessionRetryAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a command for a session that is not connected waits before it is tried again.</summary>
    public TimeSpan DisconnectedRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public RetryPolicy ReconnectPolicy => new(MaxReconnectAttempts, ReconnectInitialDelay, ReconnectMaxDelay, RetryPolicy.Default.Jitter);


    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseRenewInterval >= LeaseDuration || LeaseRenewInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Connector:LeaseRenewInterval must be positive and shorter than LeaseDuration.");
        }

        if (PollInterval <= TimeSpan.Zero || ReconnectInitialDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectInitialDelay)
        {
            yield return new ValidationResult("Connector: PollInterval and ReconnectInitialDelay must be positive and ReconnectMaxDelay at least ReconnectInitialDelay.");
        }
    }
}
