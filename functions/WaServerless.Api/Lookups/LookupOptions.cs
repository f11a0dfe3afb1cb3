using System.ComponentModel.DataAnnotations;

namespace WaServerless.Api.Lookups;

/// <summary>Bound from "Lookups": what the API asks a session's engine (groups, number checks).</summary>
public sealed class LookupOptions
{
    public const string Section = "Lookups";

    /// <summary>The most numbers one POST /api/contacts/check may carry.</summary>
    public const int MaxNumbersPerRequest = 1000;

    /// <summary>How long a request waits for the connector's answer before it answers 202 with what it has.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How old a session's group list may be before GET /api/groups asks the engine again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan GroupsMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a number's answer is reused without asking WhatsApp again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan NumberCheckCacheDuration { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Numbers each key may have checked by WhatsApp per hour (answers from the cache are free).
    /// Checking many numbers is a known way to get a WhatsApp account banned: keep it modest.
    /// </summary>
    [Range(1, 100_000)]
    public int NumberChecksPerHour { get; set; } = 1000;
}
