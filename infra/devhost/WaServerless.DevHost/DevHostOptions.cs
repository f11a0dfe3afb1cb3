namespace WaServerless.DevHost;

/// <summary>Bound from "DevHost".</summary>
internal sealed class DevHostOptions
{
    public const string Section = "DevHost";

    /// <summary>Where the demo key is kept between runs (keys are stored hashed, so it cannot be read back from storage).</summary>
    public string? DemoKeyFile { get; set; }

    /// <summary>Whether to create the demo account and key at start.</summary>
    public bool SeedDemoAccount { get; set; } = true;

    /// <summary>
    /// Where the local webhook encryption key is kept between runs, when Webhooks:EncryptionKey is not
    /// set: created on first start (32 random bytes), so endpoints registered locally keep working.
    /// </summary>
    public string? WebhookKeyFile { get; set; }
}
