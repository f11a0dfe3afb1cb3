using System.Security.Cryptography;
using System.Text;

namespace WaServerless.Core.Accounts;

/// <summary>
/// API keys look like "SM-" + 26 random base62 characters + a 6-character checksum. The checksum
/// lets a mistyped or truncated key be refused before any lookup, and the fixed shape lets secret
/// scanners recognise a leaked key. The first characters after "SM-" are a non-secret lookup prefix.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "SM-";
    public const int RandomLength = 26;
    public const int ChecksumLength = 6;
    public const int LookupLength = 8;
    public const int Length = 3 + RandomLength + ChecksumLength;

    public static string Generate()
    {
        var random = Base62.Random(RandomLength);
        return Prefix + random + Checksum(random);
    }

    public static bool IsWellFormed(string? key)
    {
        if (key is null || key.Length != Length || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in key.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        var random = key.Substring(Prefix.Length, RandomLength);
        return CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Checksum(random)),
            Encoding.ASCII.GetBytes(key[(Prefix.Length + RandomLength)..]));
    }

    /// <summary>The non-secret part used to find a key's record; 8 of its 155 random bits.</summary>
    public static string LookupPrefix(string key) => key.Substring(0, Prefix.Length + LookupLength);

    /// <summary>What may be shown back to a user or written to a log: the lookup prefix and an ellipsis.</summary>
    public static string Redact(string key) => IsWellFormed(key) ? LookupPrefix(key) + "…" : "(malformed)";

    private static string Checksum(string random)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes(Prefix + random));
        ulong value = BitConverter.ToUInt64(hash, 0);
        Span<char> chars = stackalloc char[ChecksumLength];
        for (var i = 0; i < ChecksumLength; i++)
        {
            chars[i] = Base62.Alphabet[(int)(value % 62)];
            value /= 62;
        }

        return new string(chars);
    }
}

/// <summary>Keys are stored only as SHA-256 over a per-key random salt and the key; compared in constant time.</summary>
public static class ApiKeyHasher
{
    public static byte[] NewSalt() => RandomNumberGenerator.GetBytes(16);

    public static byte[] Hash(string key, byte[] salt)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(salt);
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var input = new byte[salt.Length + keyBytes.Length];
        salt.CopyTo(input, 0);
        keyBytes.CopyTo(input, salt.Length);
        return SHA256.HashData(input);
    }

    public static bool Verify(string key, byte[] salt, byte[] expectedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(key, salt), expectedHash);
}
