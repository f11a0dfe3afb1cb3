using System.ComponentModel.DataAnnotations;

namespace WaServerless.Storage.Sessions;

/// <summary>Bound from "Sessions".</summary>
public sealed class SessionOptions : IValidatableObject
{
    public const string Section = "Sessions";

    /// <summary>Base64 of 32 bytes: the AES-256 key session credentials are encrypted with at rest (Key Vault in Azure). Never logged.</summary>
    public string? EncryptionKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(EncryptionKey))
        {
            yield break;
        }

        byte[]? key = null;
        try
        {
            key = Convert.FromBase64String(EncryptionKey);
        }
        catch (FormatException)
        {
        }

        if (key is not { Length: 32 })
        {
            yield return new ValidationResult("Sessions:EncryptionKey must be base64 of exactly 32 bytes.", [nameof(EncryptionKey)]);
        }
    }
}
