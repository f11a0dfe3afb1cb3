namespace WaServerless.Core.Limits;

/// <summary>A plan's limits; plans are configuration (section "Plans"), not code.</summary>
public sealed class Plan
{
    public string Name { get; set; } = string.Empty;

    public int SubmissionsPerMinute { get; set; } = 60;

    public long MonthlyQuota { get; set; } = 10_000;

    public long MaxMediaBytes { get; set; } = 25L * 1024 * 1024;

    public bool BulkApi { get; set; }

    public int RecipientDailyCap { get; set; } = 50;

    /// <summary>Only recipients who opted in (POST /api/optin, or a start word) may be sent to; for teams under consent rules.</summary>
    public bool RequireOptIn { get; set; }
}
