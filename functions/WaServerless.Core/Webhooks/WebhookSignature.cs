using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace WaServerless.Core.Webhooks;

/// <summary>
/// How a delivery proves it came from us: HMAC-SHA256, keyed with the endpoint's signing secret
/// (the whole "whsec_..." string as UTF-8), over "{timestamp}.{body}" where the timestamp is the
/// attempt's Unix time in seconds and the body is the exact bytes sent. The header carries the
/// timestamp and one v1 signature per valid secret (two for a while after a rotation):
/// <c>X-WaServerless-Signature: t=1700000000,v1=5f0c...</c>. Signing the timestamp lets a receiver
/// refuse replays older than its tolerance.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-WaServerless-Signature";
    public const string TimestampHeader = "X-WaServerless-Timestamp";
    public const string EventIdHeader = "X-WaServerless-Event-Id";
    public const string EventTypeHeader = "X-WaServerless-Event-Type";
    public const string AttemptHeader = "X-WaServerless-Delivery-Attempt";
    public const string Scheme = "v1";

    /// <summary>The lowercase hex HMAC-SHA256 of "{timestamp}.{body}" with <paramref name="secret"/>.</summary>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>The signature header's value: "t={timestamp},v1={sig}" with one v1 per secret.</summary>
    public static string Header(IEnumerable<string> secrets, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var builder = new StringBuilder("t=").Append(timestamp.ToString(CultureInfo.InvariantCulture));
        foreach (var secret in secrets)
        {
            builder.Append(',').Append(Scheme).Append('=').Append(Compute(secret, timestamp, body));
        }

        return builder.ToString();
    }

    /// <summary>
    /// What a receiver does: true when one of the header's v1 signatures matches <paramref name="secret"/>
    /// and its timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>.
    /// </summary>
    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(header))
        {
            return false;
        }

        long? timestamp = null;
        var candidates = new List<string>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var (name, value) = (part[..eq], part[(eq + 1)..]);
            if (name == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (name == Scheme)
            {
                candidates.Add(value);
            }
        }

        if (timestamp is not { } ts || Math.Abs(now.ToUnixTimeSeconds() - ts) > tolerance.TotalSeconds)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(secret, ts, body));
        return candidates.Any(c => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(c)));
    }
}

/// <summary>Signing secrets: "whsec_" and 32 random bytes, base64url. Shown to the client once.</summary>
public static class WebhookSecrets
{
    public const string Prefix = "whsec_";

    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
