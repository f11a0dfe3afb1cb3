using System.ComponentModel.DataAnnotations;
using WaServerless.Core.Engines;

namespace WaServerless.Storage.Sessions;

/// <summary>Bound from "Sessions".</summary>
public sealed class SessionOptions : IValidatableObject
{
    public const string Section = "Sessions";

    /// <summary>Base64 of 32 bytes: the AES-256 key session credentials are encrypted with at rest (Key Vault in Azure). Never logged.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// The engines new sessions may use, comma-separated; the first is the default when a client names
    /// none. A production deployment lists only cloudapi, so nobody creates a simulated session there.
    /// </summary>
    public string AllowedEngines { get; set; } = string.Join(',', EngineNames.All);

    public IReadOnlyList<string> Engines =>
        [.. AllowedEngines.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(e => EngineNames.Normalize(e) ?? e).Distinct()];

    public string DefaultEngine => Engines.Count > 0 ? Engines[0] : EngineNames.Sandbox;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Engines.Count == 0 || Engines.Any(e => EngineNames.Normalize(e) is null))
        {
            yield return new ValidationResult($"Sessions:AllowedEngines must list one or more of {string.Join(", ", EngineNames.All)}.", [nameof(AllowedEngines)]);
        }

        if (string.IsNullOrWhiteSpace(EncryptionKey))
        {
            yield break;
        }

        if (Infrastructure.EncryptionKeySetting.Problem("Sessions:EncryptionKey", EncryptionKey) is { } problem)
        {
            yield return new ValidationResult(problem, [nameof(EncryptionKey)]);
        }
    }
}
