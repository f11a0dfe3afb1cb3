using System.Security.Cryptography;

namespace WaServerless.Storage.Infrastructure;

/// <summary>
/// AES-256-GCM for a secret stored in a table property, in the format of the session credentials
/// (SessionCredentialStore uses it too): 1 byte version (1), 12 bytes random nonce, 16 bytes tag, ciphertext.
/// The associated data binds a ciphertext to its row, so a value copied into another row does not
/// decrypt there.
/// </summary>
public sealed class AesGcmFieldProtector
{
    private const byte Version = 1;
    private const int Header = 1 + 12 + 16;
    private readonly byte[] _key;

    /// <param name="key">32 bytes.</param>
    public AesGcmFieldProtector(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException("The key must be 32 bytes (AES-256).", nameof(key));
        }

        _key = key;
    }

    public byte[] Protect(ReadOnlySpan<byte> plain, ReadOnlySpan<byte> associatedData)
    {
        var stored = new byte[Header + plain.Length];
        stored[0] = Version;
        var nonce = stored.AsSpan(1, 12);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(nonce, plain, stored.AsSpan(Header), stored.AsSpan(13, 16), associatedData);
        return stored;
    }

    /// <summary>The plaintext, or null when the value is not ours: another key, another row, or tampered.</summary>
    public byte[]? Unprotect(ReadOnlySpan<byte> stored, ReadOnlySpan<byte> associatedData)
    {
        if (stored.Length < Header || stored[0] != Version)
        {
            return null;
        }

        var plain = new byte[stored.Length - Header];
        using var aes = new AesGcm(_key, 16);
        try
        {
            aes.Decrypt(stored.Slice(1, 12), stored[Header..], stored.Slice(13, 16), plain, associatedData);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
