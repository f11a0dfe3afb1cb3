using System.Security.Cryptography;
using System.Text;

namespace WaServerless.Core.Sending;

/// <summary>
/// Jitter an orchestration (or any retry schedule that must come out the same twice) may use: the same seed and salt always give the same fraction, in any
/// process on any machine, so a replay waits exactly as long as the first run did. Never Random in
/// an orchestrator.
/// </summary>
public static class DeterministicJitter
{
    /// <summary>A stable seed from a key such as a message or campaign id (string.GetHashCode differs per process).</summary>
    public static long SeedOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return BitConverter.ToInt64(hash[..8]);
    }

    /// <summary>A fraction in [0, 1) for the <paramref name="salt"/>-th draw of <paramref name="seed"/> (SplitMix64).</summary>
    public static double Fraction(long seed, long salt)
    {
        unchecked
        {
            var z = (ulong)seed + ((ulong)salt * 0x9E3779B97F4A7C15UL) + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (z >> 11) * (1.0 / (1UL << 53));
        }
    }
}
