namespace WaServerless.Core.Sending;

/// <summary>
/// When to try a transient failure again: exponential backoff from <see cref="InitialDelay"/>,
/// capped at <see cref="MaxDelay"/>, with up to ±<see cref="Jitter"/> spread so that a burst of
/// failures does not come back as a burst; at most <see cref="MaxAttempts"/> attempts in all.
/// </summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan InitialDelay, TimeSpan MaxDelay, double Jitter)
{
    public static readonly RetryPolicy Default = new(5, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), 0.2);

    public bool ShouldRetry(int attemptThatFailed) => attemptThatFailed < MaxAttempts;

    /// <summary>The wait after attempt <paramref name="attemptThatFailed"/> (1-based); <paramref name="random"/> in [0, 1).</summary>
    public TimeSpan DelayAfter(int attemptThatFailed, double random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attemptThatFailed, 1);
        var exponential = InitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attemptThatFailed - 1, 30));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        var spread = 1 + (Jitter * ((2 * random) - 1));
        return TimeSpan.FromMilliseconds(Math.Max(0, capped * spread));
    }
}
