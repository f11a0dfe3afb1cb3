using System.Text.RegularExpressions;

namespace WaServerless.Core.Sending;

/// <summary>
/// WhatsApp group ids, which a send may name instead of a phone number: "120363025246125486@g.us",
/// or the older "<creator's number>-<timestamp>@g.us". Only engines that declare groups can send to one.
/// </summary>
public static partial class GroupIds
{
    public const string Suffix = "@g.us";

    /// <summary>The id in canonical form (trimmed, lowercase suffix), or null when <paramref name="value"/> is no group id.</summary>
    public static string? TryNormalize(string? value)
    {
        var trimmed = value?.Trim();
        return trimmed is not null && Shape().IsMatch(trimmed) ? trimmed[..^Suffix.Length] + Suffix : null;
    }

    public static bool IsGroup(string recipient) => recipient.EndsWith(Suffix, StringComparison.Ordinal);

    [GeneratedRegex("^[0-9]{6,20}(-[0-9]{6,12})?@g\\.us$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
