using WaServerless.Core.Consent;
using WaServerless.Core.Sending;

namespace WaServerless.Core.Limits;

/// <summary>The limits one send is checked against, resolved from the account's plan and the key's settings.</summary>
public sealed record SendLimits(
    long MonthlyQuota,
    int SubmissionsPerMinute,
    TimeSpan RecipientGap,
    int RecipientDailyCap,
    TimeSpan OtpCooldown)
{
    public static readonly SendLimits Unlimited = new(long.MaxValue, int.MaxValue, TimeSpan.Zero, int.MaxValue, TimeSpan.Zero);

    /// <summary>Only recipients who opted in may be sent to (teams under consent rules); from the plan.</summary>
    public bool RequireOptIn { get; init; }

    /// <summary>The account's messages per UTC day, from the plan; long.MaxValue for no limit (then nothing is counted).</summary>
    public long DailyMessages { get; init; } = long.MaxValue;
}

/// <summary>What is remembered per recipient of an account, to enforce the gap, the daily cap and the OTP cooldown.</summary>
public sealed record RecipientState(DateTimeOffset? LastAt, string? Day, int DayCount, DateTimeOffset? LastOtpAt)
{
    public static readonly RecipientState None = new(null, null, 0, null);

    /// <summary>Kept on the same row, so a send sees an opt-out without a read of its own.</summary>
    public RecipientConsent Consent { get; init; }
}

public abstract record RecipientDecision
{
    private RecipientDecision()
    {
    }

    /// <summary>Send; at <see cref="ScheduledFor"/> when inside the recipient gap, else now.</summary>
    public sealed record Accept(DateTimeOffset? ScheduledFor, RecipientState Next) : RecipientDecision;

    public sealed record DailyCapReached(int Cap, TimeSpan RetryAfter) : RecipientDecision;

    public sealed record OtpCooldown(TimeSpan RetryAfter) : RecipientDecision;

    /// <summary>The recipient sent a stop word.</summary>
    public sealed record OptedOut : RecipientDecision;

    /// <summary>The plan requires opt-in and the recipient has not opted in.</summary>
    public sealed record NotOptedIn : RecipientDecision;
}

/// <summary>
/// The per-recipient rules, pure so the clock is the caller's: nothing to a recipient who opted out
/// (nor, when the plan requires it, to one who has not opted in); at most RecipientDailyCap sends to
/// one recipient per UTC day; an OTP to the same recipient inside the cooldown is refused (a user
/// mashing "resend code" must not get a burst); any other send inside the gap since the last one is
/// accepted but scheduled for the end of the gap. OTPs skip the gap: a login code must not wait.
/// </summary>
public static class RecipientRules
{
    public static RecipientDecision Evaluate(RecipientState state, Priority priority, SendLimits limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(limits);
        if (state.Consent == RecipientConsent.OptedOut)
        {
            return new RecipientDecision.OptedOut();
        }

        if (limits.RequireOptIn && state.Consent != RecipientConsent.OptedIn)
        {
            return new RecipientDecision.NotOptedIn();
        }

        var today = now.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        var sentToday = state.Day == today ? state.DayCount : 0;
        if (sentToday >= limits.RecipientDailyCap)
        {
            var midnight = new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
            return new RecipientDecision.DailyCapReached(limits.RecipientDailyCap, midnight - now);
        }

        var isOtp = priority.Lane == Lane.Otp;
        if (isOtp && state.LastOtpAt is { } lastOtp && now - lastOtp < limits.OtpCooldown)
        {
            return new RecipientDecision.OtpCooldown(limits.OtpCooldown - (now - lastOtp));
        }

        DateTimeOffset? scheduledFor = null;
        if (!isOtp && state.LastAt is { } last && last + limits.RecipientGap > now)
        {
            scheduledFor = last + limits.RecipientGap;
        }

        var next = new RecipientState(
            Max(state.LastAt, scheduledFor ?? now),
            today,
            sentToday + 1,
            isOtp ? now : state.LastOtpAt)
        { Consent = state.Consent };
        return new RecipientDecision.Accept(scheduledFor, next);
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}
