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

    public RetryPolicy RetryPolicy => new(MaxAttempts, RetryInitialDelay, RetryMaxDelay, RetryPolicy.Default.Jitter);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PollInterval <= TimeSpan.Zero || RetryInitialDelay < TimeSpan.Zero || RetryMaxDelay < RetryInitialDelay)
        {
            yield return new ValidationResult("Connector: PollInterval must be positive and RetryMaxDelay at least RetryInitialDelay.");
        }
    }
}
