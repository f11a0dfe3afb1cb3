using System.ComponentModel.DataAnnotations;

namespace WaServerless.Storage.Infrastructure;

/// <summary>
/// Where state lives. In Azure: the service URIs and a managed identity (credential=managedidentity,
/// clientId for a user-assigned one), never a key. Locally: an Azurite connection string.
/// Bound from the "Storage" section, so Storage__tableServiceUri and friends set it.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Storage";

    /// <summary>For Azurite only ("UseDevelopmentStorage=true" or its explicit form). Not for Azure: use the URIs.</summary>
    public string? ConnectionString { get; set; }

    public Uri? TableServiceUri { get; set; }

    public Uri? BlobServiceUri { get; set; }

    public Uri? QueueServiceUri { get; set; }

    /// <summary>"managedidentity" to use only the managed identity; anything else uses DefaultAzureCredential.</summary>
    public string? Credential { get; set; }

    /// <summary>Client id of a user-assigned managed identity.</summary>
    public string? ClientId { get; set; }

    /// <summary>Prepended to every table, container and queue name; lets tests share one Azurite.</summary>
    [RegularExpression("^[a-z][a-z0-9]{0,15}$|^$", ErrorMessage = "NamePrefix must be lowercase letters and digits, starting with a letter, at most 16.")]
    public string NamePrefix { get; set; } = string.Empty;

    /// <summary>
    /// How long one storage call may wait for an answer before it is retried. The SDK's default (100 s,
    /// then retries with backoff) could hold an API request for minutes; these fit Api:RequestDeadline.
    /// </summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Retries of a storage call that failed transiently or timed out.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 1;

    /// <summary>First retry delay; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether this is the local emulator (Azurite), where test-only relaxations are allowed.</summary>
    public bool IsDevelopmentStorage =>
        !string.IsNullOrWhiteSpace(ConnectionString)
        && (ConnectionString.Contains("UseDevelopmentStorage=true", StringComparison.OrdinalIgnoreCase) || ConnectionString.Contains("devstoreaccount1", StringComparison.Ordinal));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NetworkTimeout <= TimeSpan.Zero || RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            yield return new ValidationResult("Storage: NetworkTimeout and RetryDelay must be positive and MaxRetryDelay at least RetryDelay.", [nameof(NetworkTimeout)]);
        }

        if (string.IsNullOrWhiteSpace(ConnectionString) && (TableServiceUri is null || BlobServiceUri is null || QueueServiceUri is null))
        {
            yield return new ValidationResult(
                "Set Storage:TableServiceUri, Storage:BlobServiceUri and Storage:QueueServiceUri (Azure, managed identity), or Storage:ConnectionString (Azurite).",
                [nameof(TableServiceUri), nameof(ConnectionString)]);
        }

        if (!string.IsNullOrWhiteSpace(ConnectionString) && ConnectionString.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase)
            && !ConnectionString.Contains("devstoreaccount1", StringComparison.Ordinal))
        {
            yield return new ValidationResult(
                "Storage:ConnectionString carries an account key for a real account. Use the service URIs with a managed identity instead.",
                [nameof(ConnectionString)]);
        }
    }
}
