namespace WaServerless.Core.Text;

/// <summary>Shortened text for error messages and reasons, so a huge input never comes back whole.</summary>
public static class Clip
{
    /// <summary>The first 40 characters and "..." when there are more; empty for null.</summary>
    public static string Preview(string? value) =>
        value is null ? string.Empty : value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "...");

    /// <summary>At most <paramref name="maxLength"/> characters in all, "..." included.</summary>
    public static string ToLength(string value, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 4);
        return value.Length <= maxLength ? value : string.Concat(value.AsSpan(0, maxLength - 3), "...");
    }
}
