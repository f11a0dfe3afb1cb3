using System.Security.Cryptography;
using System.Text;

namespace WaServerless.Engines.Waha;

/// <summary>
/// The WAHA session that carries one of our sessions. Derived, not stored: every replica computes
/// the same name for a session key, so a session moves with its lease. A hash of the whole key
/// ("account~name") keeps names unique across accounts and free of characters WAHA's routes and
/// its session folders would trip on.
/// </summary>
public static class WahaSessionNames
{
    private const string Prefix = "ws_";
    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static string Of(string sessionKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(sessionKey));
        return Prefix + Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    /// <summary>Whether <paramref name="name"/> has the shape of a name this connector gives (a webhook path segment is checked with it).</summary>
    public static bool IsWellFormed(string? name) =>
        name is { Length: 27 } && name.StartsWith(Prefix, StringComparison.Ordinal) && !name.AsSpan(Prefix.Length).ContainsAnyExcept(Hex);
}
