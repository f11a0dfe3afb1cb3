using System.Security.Cryptography;
using System.Text;

namespace WaServerless.Core.Accounts;

/// <summary>
/// The shapes of OAuth2 client credentials and of the bearer tokens issued for them. Fixed prefixes
/// let the API tell a token from an API key without a lookup, and let secret scanners spot a leak.
/// </summary>
public static class OAuthFormat
{
    public const string ClientIdPrefix = "wac_";
    public const string ClientSecretPrefix = "was_";
    public const string TokenPrefix = "wat_";

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    // 43 base62 characters are 256 bits: a token is guessed no sooner than a key.
    private const int SecretLength = 43;

    public static string NewClientId() => ClientIdPrefix + RandomNumberGenerator.GetHexString(24, lowercase: true);

    public static string NewClientSecret() => ClientSecretPrefix + Base62.Random(SecretLength);

    public static string NewToken() => TokenPrefix + Base62.Random(SecretLength);

    public static bool IsClientId(string? value) =>
        value is { Length: 28 } && value.StartsWith(ClientIdPrefix, StringComparison.Ordinal) && !value.AsSpan(ClientIdPrefix.Length).ContainsAnyExcept(LowerHex);

    public static bool IsToken(string? value) => HasShape(value, TokenPrefix);

    public static bool IsClientSecret(string? value) => HasShape(value, ClientSecretPrefix);

    /// <summary>
    /// Where a token is stored and found: its SHA-256. Unlike a client secret (salted, see
    /// <see cref="ApiKeyHasher"/>) a token must be found by its value on every request, and 256
    /// random bits need no salt against guessing.
    /// </summary>
    public static string TokenId(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static bool HasShape(string? value, string prefix)
    {
        if (value is null || value.Length != prefix.Length + SecretLength || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in value.AsSpan(prefix.Length))
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
