using System.Security.Cryptography;

namespace WaServerless.Core.Contracts;

/// <summary>
/// Queue ids: "msg_" + 10 characters of millisecond time + 16 random, Crockford base32 (a ULID).
/// Time-ordered, so storage can list newest first from the id alone; random enough to be unguessable.
/// </summary>
public static class MessageIds
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    public const string Prefix = "msg_";
    private static readonly System.Buffers.SearchValues<char> AlphabetValues = System.Buffers.SearchValues.Create(Alphabet);

    public static string New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Span<char> chars = stackalloc char[26];
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }

        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < 16; i++)
        {
            chars[10 + i] = Alphabet[random[i] & 31];
        }

        return string.Concat(Prefix, chars);
    }

    private static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Well formed, and its time part a time a clock can show (ten base32 characters reach past the year 9999).</summary>
    public static bool IsValid(string? id) =>
        id is { Length: 30 } && id.StartsWith(Prefix, StringComparison.Ordinal) && id.AsSpan(4).IndexOfAnyExcept(AlphabetValues) < 0
        && Milliseconds(id) <= MaxMilliseconds;

    /// <summary>The accept time encoded in the id.</summary>
    public static DateTimeOffset TimeOf(string id)
    {
        if (!IsValid(id))
        {
            throw new ArgumentException("Not a message id.", nameof(id));
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(Milliseconds(id));
    }

    private static long Milliseconds(string id)
    {
        long ms = 0;
        for (var i = 0; i < 10; i++)
        {
            ms = (ms << 5) | (long)Alphabet.IndexOf(id[4 + i], StringComparison.Ordinal);
        }

        return ms;
    }
}
