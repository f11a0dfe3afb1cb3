using WaServerless.Core.Bulk;

namespace WaServerless.Core.Tests;

/// <summary>The pure spacing plan: interval and jitter, the daily window in the campaign's zone, batches.</summary>
public sealed class BulkSpacingPlanTests
{
    private static readonly DailyWindow BerlinDay = new(new TimeOnly(9, 0), new TimeOnly(20, 0), "Europe/Berlin");

    // 2026-11-23 is in winter time: Berlin is UTC+1.
    private static DateTimeOffset Berlin(int day, int hour, int minute, int second = 0) => new(2026, 11, day, hour, minute, second, TimeSpan.FromHours(1));

    [Fact]
    public void The_gap_is_the_interval_spread_by_at_most_the_jitter_and_the_same_every_time()
    {
        var plan = new BulkSpacingPlan(TimeSpan.FromSeconds(10), 0.3, null, jitterSeed: 42);

        var gaps = Enumerable.Range(0, 200).Select(i => plan.IntervalBefore(i)).ToList();

        Assert.All(gaps, g => Assert.InRange(g.TotalSeconds, 7, 13));
        Assert.True(gaps.Distinct().Count() > 100, "jitter spreads the gaps");
        Assert.Equal(gaps, Enumerable.Range(0, 200).Select(i => new BulkSpacingPlan(TimeSpan.FromSeconds(10), 0.3, null, 42).IntervalBefore(i)));
        Assert.Equal(TimeSpan.FromSeconds(20), new BulkSpacingPlan(TimeSpan.FromSeconds(10), 0, null, 42).IntervalBefore(3, slowdown: 2));
    }

    [Fact]
    public void The_next_release_is_an_interval_after_the_previous_one_and_never_in_the_past()
    {
        var plan = new BulkSpacingPlan(TimeSpan.FromSeconds(30), 0, BerlinDay, 1);
        var now = Berlin(23, 10, 0);

        Assert.Equal(now, plan.NextRelease(now, previous: null, index: 0));
        Assert.Equal(now.AddSeconds(20), plan.NextRelease(now, now.AddSeconds(-10), 1));
        Assert.Equal(now, plan.NextRelease(now, now.AddMinutes(-5), 1));
    }

    [Fact]
    public void A_release_falling_after_the_window_end_moves_to_its_opening_the_next_day_in_the_campaign_zone()
    {
        var plan = new BulkSpacingPlan(TimeSpan.FromSeconds(15), 0, BerlinDay, 1);

        var next = plan.NextRelease(Berlin(23, 19, 59, 50), previous: Berlin(23, 19, 59, 50), index: 7);

        Assert.Equal(Berlin(24, 9, 0), next);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero), next.ToUniversalTime());
    }

    [Fact]
    public void Before_the_opening_a_release_waits_for_the_same_day_opening()
    {
        Assert.Equal(Berlin(23, 9, 0), BerlinDay.NextOpening(Berlin(23, 6, 30)));
        Assert.Equal(Berlin(23, 12, 0), BerlinDay.NextOpening(Berlin(23, 12, 0)));
        Assert.Equal(Berlin(24, 9, 0), BerlinDay.NextOpening(Berlin(23, 20, 0)));
        Assert.True(BerlinDay.Contains(Berlin(23, 19, 59, 59)));
        Assert.False(BerlinDay.Contains(Berlin(23, 20, 0)));
    }

    [Fact]
    public void A_window_over_midnight_is_open_late_and_early_and_closed_between()
    {
        var night = new DailyWindow(new TimeOnly(22, 0), new TimeOnly(6, 0), "Europe/Berlin");

        Assert.True(night.Contains(Berlin(23, 23, 30)));
        Assert.True(night.Contains(Berlin(24, 5, 59)));
        Assert.Equal(Berlin(24, 22, 0), night.NextOpening(Berlin(24, 6, 0)));
        Assert.Equal(Berlin(23, 22, 0), night.NextOpening(Berlin(23, 12, 0)));
    }

    [Fact]
    public void The_opening_follows_daylight_saving_and_a_skipped_hour_moves_it_to_the_first_valid_minute()
    {
        var summer = new DailyWindow(new TimeOnly(9, 0), new TimeOnly(20, 0), "America/New_York");
        Assert.Equal(new DateTimeOffset(2026, 7, 2, 13, 0, 0, TimeSpan.Zero), summer.NextOpening(new DateTimeOffset(2026, 7, 2, 1, 0, 0, TimeSpan.Zero)));

        // Berlin skips 02:00-03:00 on 2026-03-29; a window opening at 02:30 opens at 03:00 (01:00Z) that day.
        var skipped = new DailyWindow(new TimeOnly(2, 30), new TimeOnly(12, 0), "Europe/Berlin");
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero), skipped.NextOpening(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_batch_spaces_its_releases_and_stops_at_the_window_end()
    {
        var plan = new BulkSpacingPlan(TimeSpan.FromSeconds(15), 0, BerlinDay, 1);

        var batch = plan.Batch(Berlin(23, 19, 59, 30), previous: null, firstIndex: 10, maxCount: 5);

        Assert.Equal([Berlin(23, 19, 59, 30), Berlin(23, 19, 59, 45)], batch);
        var next = plan.Batch(Berlin(23, 19, 59, 46), previous: batch[^1], firstIndex: 12, maxCount: 5);
        Assert.Equal(Berlin(24, 9, 0), next[0]);
        Assert.Equal(Berlin(24, 9, 0, 15), next[1]);
        Assert.Equal(5, next.Count);
    }

    [Fact]
    public void Without_a_window_the_plan_runs_around_the_clock()
    {
        var plan = new BulkSpacingPlan(TimeSpan.FromMinutes(1), 0, null, 1);

        var batch = plan.Batch(Berlin(23, 23, 58), previous: null, firstIndex: 0, maxCount: 4);

        Assert.Equal([Berlin(23, 23, 58), Berlin(23, 23, 59), Berlin(24, 0, 0), Berlin(24, 0, 1)], batch);
    }
}
