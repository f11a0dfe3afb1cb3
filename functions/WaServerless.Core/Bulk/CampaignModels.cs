namespace WaServerless.Core.Bulk;

/// <summary>
/// How a campaign spaces its messages: <see cref="Interval"/> between two messages, spread by up to
/// ±<see cref="Jitter"/> (a fraction), and only inside the daily window [<see cref="WindowStart"/>,
/// <see cref="WindowEnd"/>) in the IANA time zone <see cref="TimeZone"/>. No window: any time of day.
/// A window whose start is after its end runs over midnight.
/// </summary>
public sealed record CampaignSpacing(TimeSpan Interval, double Jitter, TimeOnly? WindowStart, TimeOnly? WindowEnd, string TimeZone);

/// <summary>A recipient as the campaign was created with it.</summary>
public sealed record CampaignRecipient(string Recipient, IReadOnlyDictionary<string, string>? Variables = null);

/// <summary>The interval a campaign gets when it names none, and the longest it may ask for (from the host's Bulk options).</summary>
public sealed record CampaignIntervalLimits(TimeSpan DefaultInterval, TimeSpan MaxInterval);
