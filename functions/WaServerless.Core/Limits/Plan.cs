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

    /// <summary>The most WhatsApp sessions (numbers) an account of the plan may have; null for no limit.</summary>
    public int? MaxSessions { get; set; }

    /// <summary>The most messages an account of the plan may send per UTC day (beside the monthly quota); null for no limit.</summary>
    public long? DailyMessages { get; set; }

    /// <summary>Only recipients who opted in (POST /api/optin, or a start word) may be sent to; for teams under consent rules.</summary>
    public bool RequireOptIn { get; set; }
}
