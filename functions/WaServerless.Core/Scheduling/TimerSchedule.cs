using System.Globalization;
using NCrontab;

namespace WaServerless.Core.Scheduling;

/// <summary>
/// A timer's schedule as the Functions Timer trigger reads it: a six-field NCRONTAB expression
/// ("*/30 * * * * *", seconds first, UTC) or a TimeSpan ("00:00:05", an interval between runs). The
/// Functions app passes the same setting to its [TimerTrigger] as a %Setting% expression, and the
/// devhost's loops compute their next run from it, so both hosts run one schedule.
/// </summary>
public sealed class TimerSchedule
{
    private readonly CrontabSchedule? _cron;
    private readonly TimeSpan _interval;

    private TimerSchedule(string text, CrontabSchedule? cron, TimeSpan interval)
    {
        Text = text;
        _cron = cron;
        _interval = interval;
    }

    public string Text { get; }

    public static bool TryParse(string? text, out TimerSchedule schedule)
    {
        schedule = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6
            && CrontabSchedule.TryParse(trimmed, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is { } cron)
        {
            schedule = new TimerSchedule(trimmed, cron, TimeSpan.Zero);
            return true;
        }

        if (TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out var interval) && interval > TimeSpan.Zero)
        {
            schedule = new TimerSchedule(trimmed, null, interval);
            return true;
        }

        return false;
    }

    public static TimerSchedule Parse(string text) =>
        TryParse(text, out var schedule) ? schedule : throw new FormatException($"'{text}' is neither a six-field NCRONTAB expression nor a positive TimeSpan.");

    /// <summary>When to run next, after a run that ended at <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after) =>
        _cron is { } cron
            ? new DateTimeOffset(DateTime.SpecifyKind(cron.GetNextOccurrence(after.UtcDateTime), DateTimeKind.Utc))
            : after + _interval;

    public override string ToString() => Text;
}
