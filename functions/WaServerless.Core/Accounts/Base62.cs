using System.Security.Cryptography;

namespace WaServerless.Core.Accounts;

/// <summary>The alphabet credentials are written in (API keys, OAuth2 secrets and tokens, MAC secrets): URL- and header-safe, no punctuation to escape.</summary>
public static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>A random string of <paramref name="length"/> characters from a cryptographic source (5.95 bits each).</summary>
    public static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
