namespace WaServerless.Workflows;

/// <summary>
/// External event names the orchestrations wait for. Durable Task matches them case-insensitively;
/// hosts raise them through <see cref="IWorkflowClient.RaiseEventAsync"/>.
/// </summary>
public static class WorkflowEvents
{
    /// <summary>The WhatsApp session came back: a retry waiting for it goes now, a campaign paused for it resumes.</summary>
    public const string SessionConnected = "SessionConnected";

    /// <summary>Stop: a message's retry, or a campaign's unreleased recipients.</summary>
    public const string Cancel = "Cancel";

    public const string Pause = "Pause";

    public const string Resume = "Resume";

    /// <summary>The connector reports rate limiting or a lost session; payload <see cref="Campaigns.CampaignThrottle"/>.</summary>
    public const string Throttle = "Throttle";
}

/// <summary>The payload of Cancel, Pause, Resume and SessionConnected: who or what asked, for the status history.</summary>
public sealed record WorkflowSignal(string? Reason = null);
