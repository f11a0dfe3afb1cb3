using Microsoft.Extensions.Options;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Connector.Sessions;

/// <summary>
/// The connector writes WhatsApp session credentials, which are as good as the phone itself: against
/// Azure storage it refuses to start without Sessions:EncryptionKey. Only Azurite (the local stack)
/// may keep them unencrypted.
/// </summary>
internal sealed class SessionEncryptionRequirement(IOptions<StorageOptions> storage) : IValidateOptions<WaServerless.Storage.Sessions.SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, WaServerless.Storage.Sessions.SessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var azure = string.IsNullOrWhiteSpace(storage.Value.ConnectionString);
        return azure && string.IsNullOrWhiteSpace(options.EncryptionKey)
            ? ValidateOptionsResult.Fail("Sessions:EncryptionKey is required when the connector runs against Azure storage: session credentials are never stored unencrypted there (set it from Key Vault).")
            : ValidateOptionsResult.Success;
    }
}
