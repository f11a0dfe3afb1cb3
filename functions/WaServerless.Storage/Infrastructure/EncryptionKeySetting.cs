namespace WaServerless.Storage.Infrastructure;

/// <summary>
/// A 256-bit key given as a setting (Sessions:EncryptionKey, Webhooks:EncryptionKey): base64 of
/// exactly 32 bytes. In Azure it is a Key Vault reference; one the platform could not resolve
/// arrives as the reference text itself, which deserves its own message rather than "not base64".
/// </summary>
public static class EncryptionKeySetting
{
    private const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>Why <paramref name="value"/> is not a usable key, or null when it is one.</summary>
    public static string? Problem(string setting, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.TrimStart().StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return $"{setting} is an unresolved Key Vault reference: the app's identity could not read the secret. "
                + "On a first deployment its Key Vault Secrets User role can take a few minutes to apply; restart the app once it has. "
                + "Otherwise check that the secret exists and that the role is granted on it.";
        }

        return TryRead(value) is null ? $"{setting} must be base64 of exactly 32 bytes." : null;
    }

    /// <summary>The 32 bytes, or null when <paramref name="value"/> is not base64 of exactly 32 bytes.</summary>
    public static byte[]? TryRead(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(value) is { Length: 32 } key ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
