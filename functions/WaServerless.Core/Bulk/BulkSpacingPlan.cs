using WaServerless.Core.Sending;

namespace WaServerless.Core.Bulk;

/// <summary>
/// A daily sending window [<see cref="Start"/>, <see cref="End"/>) in an IANA time zone, e.g.
/// 09:00-20:00 in Europe/Berlin. A start after the end runs over midnight (22:00-06:00); equal start
/// and end mean all day. Daylight-saving shifts follow the zone: an opening that falls in a skipped
/// hour moves to the first valid minute after it.
/// </summary>
public sealed class DailyWindow
{
    private readonly TimeZoneInfo _zone;

    public DailyWindow(TimeOnly start, TimeOnly end, string timeZoneId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(timeZoneId);
        Start = start;
        End = end;
        TimeZoneId = timeZoneId;
        _zone = TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
    }

    public TimeOnly Start { get; }

    public TimeOnly End { get; }

    public string TimeZoneId { get; }

    public static bool IsKnownTimeZone(string? timeZoneId) =>
        !string.IsNullOrWhiteSpace(timeZoneId) && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out _);

    public bool Contains(DateTimeOffset instant) => Contains(TimeOnly.FromTimeSpan(TimeZoneInfo.ConvertTime(instant, _zone).TimeOfDay));

    /// <summary><paramref name="instant"/> itself when inside the window, else the window's next opening.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, _zone);
        var timeOfDay = TimeOnly.FromTimeSpan(local.TimeOfDay);
        if (Contains(timeOfDay))
        {
            return instant;
        }

        var date = DateOnly.FromDateTime(local.DateTime);
        // Closed in a same-day window: before the start (opens today) or at/after the end (opens
        // tomorrow). Closed in an overnight window: between its end and start, so it opens today.
        var opens = Start < End && timeOfDay >= End ? date.AddDays(1) : date;
        var opening = ToInstant(opens, Start);
        return opening > instant ? opening : ToInstant(opens.AddDays(1), Start);
    }

    private bool Contains(TimeOnly timeOfDay) =>
        Start == End || (Start < End ? timeOfDay >= Start && timeOfDay < End : timeOfDay >= Start || timeOfDay < End);

    private DateTimeOffset ToInstant(DateOnly date, TimeOnly time)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        for (var minutes = 0; _zone.IsInvalidTime(local) && minutes < 24 * 60; minutes++)
        {
            local = local.AddMinutes(1);
        }

        var offset = _zone.IsAmbiguousTime(local) ? _zone.GetAmbiguousTimeOffsets(local).Max() : _zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }
}

/// <summary>
/// When each recipient of a campaign is released: <see cref="Interval"/> after the previous one,
/// spread by up to ±<see cref="Jitter"/> (deterministic per recipient index, so a replay or a
/// restart computes the same times), stretched by a slowdown factor while the connector reports
/// rate limiting, and moved into the daily window when it falls outside it (a release due at 20:00:03
/// in a 09:00-20:00 window goes at 09:00 the next day, in the campaign's time zone). Pure.
/// </summary>
public sealed class BulkSpacingPlan
{
    public BulkSpacingPlan(TimeSpan interval, double jitter, DailyWindow? window, long jitterSeed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(jitter);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(jitter, 1);
        Interval = interval;
        Jitter = jitter;
        Window = window;
        JitterSeed = jitterSeed;
    }

    public TimeSpan Interval { get; }

    public double Jitter { get; }

    public DailyWindow? Window { get; }

    public long JitterSeed { get; }

    public static BulkSpacingPlan For(CampaignSpacing spacing, string campaignId)
    {
        ArgumentNullException.ThrowIfNull(spacing);
        var window = spacing.WindowStart is { } start && spacing.WindowEnd is { } end ? new DailyWindow(start, end, spacing.TimeZone) : null;
        return new BulkSpacingPlan(spacing.Interval, spacing.Jitter, window, DeterministicJitter.SeedOf(campaignId));
    }

    /// <summary>The gap before recipient <paramref name="index"/>: the interval, jittered and slowed down.</summary>
    public TimeSpan IntervalBefore(int index, double slowdown = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slowdown, 1);
        var spread = 1 + (Jitter * ((2 * DeterministicJitter.Fraction(JitterSeed, index)) - 1));
        return TimeSpan.FromMilliseconds(Interval.TotalMilliseconds * spread * slowdown);
    }

    /// <summary>
    /// When recipient <paramref name="index"/> may go: an interval after <paramref name="previous"/>
    /// (the last release; none for the first), not before <paramref name="now"/>, inside the window.
    /// </summary>
    public DateTimeOffset NextRelease(DateTimeOffset now, DateTimeOffset? previous, int index, double slowdown = 1)
    {
        var candidate = previous is { } last && last + IntervalBefore(index, slowdown) > now ? last + IntervalBefore(index, slowdown) : now;
        return Window?.NextOpening(candidate) ?? candidate;
    }

    /// <summary>
    /// Release times for up to <paramref name="maxCount"/> recipients from <paramref name="firstIndex"/>,
    /// each spaced from the one before. A batch never runs past the end of the window its first
    /// release falls in: the recipient that would move to the next opening starts the next batch.
    /// </summary>
    public IReadOnlyList<DateTimeOffset> Batch(DateTimeOffset now, DateTimeOffset? previous, int firstIndex, int maxCount, double slowdown = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var slots = new List<DateTimeOffset>(maxCount);
        var last = previous;
        for (var i = 0; i < maxCount; i++)
        {
            var index = firstIndex + i;
            var candidate = last is { } l && l + IntervalBefore(index, slowdown) > now ? l + IntervalBefore(index, slowdown) : now;
            var slot = Window?.NextOpening(candidate) ?? candidate;
            if (i > 0 && slot != candidate)
            {
                break;
            }

            slots.Add(slot);
            last = slot;
        }

        return slots;
    }
}
