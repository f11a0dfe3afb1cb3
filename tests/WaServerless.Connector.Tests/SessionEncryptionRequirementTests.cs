using Microsoft.Extensions.Options;
using WaServerless.Connector.Sessions;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Sessions;

namespace WaServerless.Connector.Tests;

public sealed class SessionEncryptionRequirementTests
{
    private static ValidateOptionsResult Validate(StorageOptions storage, string? key) =>
        new SessionEncryptionRequirement(Options.Create(storage)).Validate(null, new SessionOptions { EncryptionKey = key });

    [Fact]
    public void Against_azure_storage_the_connector_refuses_to_start_without_an_encryption_key()
    {
        var azure = new StorageOptions { TableServiceUri = new("https://st.table.core.windows.net"), BlobServiceUri = new("https://st.blob.core.windows.net"), QueueServiceUri = new("https://st.queue.core.windows.net") };

        var result = Validate(azure, null);

        Assert.True(result.Failed);
        Assert.Contains("Sessions:EncryptionKey", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(Validate(azure, Convert.ToBase64String(new byte[32])).Succeeded);
    }

    [Fact]
    public void Azurite_may_run_without_one()
    {
        Assert.True(Validate(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true" }, null).Succeeded);
    }
}
