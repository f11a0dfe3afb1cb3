using System.Globalization;

namespace WaServerless.Core.Sending;

/// <summary>The queue lanes, most urgent first. The connector drains a higher lane before a lower one.</summary>
public enum Lane
{
    Otp,
    High,
    Normal,
    Bulk,
}

/// <summary>
/// A send priority on the commercial APIs' 1..10 scale (1 most urgent, normal = 5), with its label
/// and the lane it travels on.
/// </summary>
public readonly record struct Priority
{
    public static readonly Priority Otp = new(1, "otp", Lane.Otp);
    public static readonly Priority Urgent = new(2, "urgent", Lane.High);
    public static readonly Priority High = new(3, "high", Lane.High);
    public static readonly Priority Normal = new(5, "normal", Lane.Normal);
    public static readonly Priority Bulk = new(7, "bulk", Lane.Bulk);
    public static readonly Priority Low = new(9, "low", Lane.Bulk);

    private static readonly Priority[] Named = [Otp, Urgent, High, Normal, Bulk, Low];

    private Priority(int value, string label, Lane lane)
    {
        Value = value;
        Label = label;
        Lane = lane;
    }

    public int Value { get; }

    public string Label { get; }

    public Lane Lane { get; }

    public override string ToString() => $"{Label} ({Value})";

    /// <summary>From a label (otp, urgent, high, normal, bulk, low) or a number 1..10.</summary>
    public static bool TryParse(string? text, out Priority priority)
    {
        priority = Normal;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var trimmed = text.Trim();
        foreach (var named in Named)
        {
            if (string.Equals(named.Label, trimmed, StringComparison.OrdinalIgnoreCase))
            {
                priority = named;
                return true;
            }
        }

        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 10)
        {
            priority = FromValue(number);
            return true;
        }

        return false;
    }

    /// <summary>The named priority a number falls into; the number itself is kept.</summary>
    public static Priority FromValue(int value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 10);
        var band = value switch
        {
            1 => Otp,
            2 => Urgent,
            3 or 4 => High,
            5 or 6 => Normal,
            7 or 8 => Bulk,
            _ => Low,
        };
        return new Priority(value, band.Label, band.Lane);
    }

    public static IEnumerable<Lane> LanesMostUrgentFirst => Enum.GetValues<Lane>();
}

public static class LaneNames
{
    public static string ToWire(this Lane lane) => lane.ToString().ToLowerInvariant();
}
