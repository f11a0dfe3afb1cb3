using System.ComponentModel.DataAnnotations;
using WaServerless.Core.Sending;

namespace WaServerless.Connector;

public enum EngineKind
{
    Sandbox,
    CloudApi,
}

/// <summary>Bound from "Connector".</summary>
public sealed class ConnectorOptions : IValidatableObject
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

    [Range(1, 50)]
    public int MaxAttempts { get; set; } = RetryPolicy.Default.MaxAttempts;

    public TimeSpan RetryInitialDelay { get; set; } = RetryPolicy.Default.InitialDelay;

    public TimeSpan RetryMaxDelay { get; set; } = RetryPolicy.Default.MaxDelay;

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

    /// <summary>How often an owned session re-reads what its owner wants (logout, pair code, delete).</summary>
    public TimeSpan SessionReconcileInterval { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ReconnectInitialDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Reconnects in a row after which the session is failed, not retried (no restart storms).</summary>
    [Range(1, 1000)]
    public int MaxReconnectAttempts { get; set; } = 10;

    /// <summary>How long a command for a session that is not connected waits before it is tried again.</summary>
    public TimeSpan DisconnectedRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public RetryPolicy ReconnectPolicy => new(MaxReconnectAttempts, ReconnectInitialDelay, ReconnectMaxDelay, RetryPolicy.Default.Jitter);

    public RetryPolicy RetryPolicy => new(MaxAttempts, RetryInitialDelay, RetryMaxDelay, RetryPolicy.Default.Jitter);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LeaseRenewInterval >= LeaseDuration || LeaseRenewInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Connector:LeaseRenewInterval must be positive and shorter than LeaseDuration.");
        }

        if (PollInterval <= TimeSpan.Zero || RetryInitialDelay < TimeSpan.Zero || RetryMaxDelay < RetryInitialDelay)
        {
            yield return new ValidationResult("Connector: PollInterval must be positive and RetryMaxDelay at least RetryInitialDelay.");
        }
    }
}
