using WaServerless.Core.Contracts;

namespace WaServerless.Engines.Sandbox;

/// <summary>How the simulated WhatsApp behaves. Bound from "Sandbox".</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>Time from sent to the delivered receipt; null sends none.</summary>
    public TimeSpan? DeliveredAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Time from delivered to the read receipt; null sends none.</summary>
    public TimeSpan? ReadAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Pairing completes by itself this long after it starts; null waits for a scan (the devhost's /sandbox/sessions/{key}/scan).</summary>
    public TimeSpan? AutoPairAfter { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often a pairing session shows a fresh QR code, as WhatsApp does.</summary>
    public TimeSpan QrRefreshInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// When set, every message sent is also appended to this file as a JSON line (SandboxSentLog), so
    /// what was sent survives the process: the kill -9 fault tests count duplicates from it.
    /// </summary>
    public string? SentLogPath { get; set; }

    /// <summary>The groups every connected Sandbox session is in, for GET /api/groups and sends to group ids.</summary>
    public List<SandboxGroup> Groups { get; init; } =
    [
        new() { Id = "120363025246125486@g.us", Name = "Sandbox team", Participants = 5 },
        new() { Id = "120363099887766554@g.us", Name = "Sandbox customers", Participants = 42 },
    ];

    /// <summary>E.164 numbers the Sandbox says are not on WhatsApp; every other valid number is.</summary>
    public List<string> UnregisteredNumbers { get; init; } = ["+14155550000"];

    /// <summary>Faults by E.164 recipient, for example Sandbox:Faults:+15550000001:Kind = Permanent.</summary>
    public Dictionary<string, SandboxFault> Faults { get; init; } = [];
}

public sealed class SandboxGroup
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public int Participants { get; set; }
}

/// <summary>What goes wrong sending to one recipient: every attempt, or only the first <see cref="Times"/>.</summary>
public sealed class SandboxFault
{
    public FailureKind Kind { get; set; } = FailureKind.Permanent;

    public string Reason { get; set; } = "injected fault";

    /// <summary>How many sends fail before sends succeed again; null fails them all.</summary>
    public int? Times { get; set; }
}
