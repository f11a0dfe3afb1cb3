using System.Security.Cryptography;
using System.Text;

namespace WaServerless.Engines.Waha;

/// <summary>
/// WAHA signs each webhook with the session's hmac key: X-Webhook-Hmac is the hex HMAC-SHA512 of the
/// raw body, X-Webhook-Hmac-Algorithm says sha512. Each session gets its own key, derived from the
/// API key and the session name, so a key seen in one session's config opens no other session's
/// webhooks and no key is stored anywhere.
/// </summary>
public static class WahaWebhookSignature
{
    public const string Header = "X-Webhook-Hmac";
    public const string AlgorithmHeader = "X-Webhook-Hmac-Algorithm";

    public static string KeyFor(string apiKey, string sessionName)
    {
        ArgumentException.ThrowIfNullOrEmpty(apiKey);
        ArgumentException.ThrowIfNullOrEmpty(sessionName);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), Encoding.UTF8.GetBytes("waserverless/waha-webhook/" + sessionName)));
    }

    public static string Sign(string key, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes(key), body));

    /// <summary>Constant-time check of a hex signature (either case); an algorithm other than sha512, when named, fails.</summary>
    public static bool IsValid(string key, ReadOnlySpan<byte> body, string? signature, string? algorithm)
    {
        if (string.IsNullOrWhiteSpace(signature) || (algorithm is { Length: > 0 } && !algorithm.Equals("sha512", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        byte[] given;
        try
        {
            given = Convert.FromHexString(signature.Trim());
        }
        catch (FormatException)
        {
            return false;
        }

        var expected = HMACSHA512.HashData(Encoding.UTF8.GetBytes(key), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
