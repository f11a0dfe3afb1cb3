using Microsoft.Extensions.Options;
using WaServerless.Api.Sending;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Functions.Tests;

/// <summary>Media__AllowPrivateHosts exists for loopback test servers and is refused next to a real storage account.</summary>
public sealed class MediaOptionsTests
{
    private static ValidateOptionsResult Validate(bool allowPrivate, StorageOptions storage) =>
        new MediaOptionsValidation(Options.Create(storage)).Validate(null, new MediaOptions { AllowPrivateHosts = allowPrivate });

    [Fact]
    public void Private_hosts_are_refused_at_start_with_a_real_storage_account()
    {
        var azure = new StorageOptions { TableServiceUri = new Uri("https://acct.table.core.windows.net"), BlobServiceUri = new Uri("https://acct.blob.core.windows.net"), QueueServiceUri = new Uri("https://acct.queue.core.windows.net") };

        Assert.True(Validate(true, azure).Failed);
        Assert.True(Validate(false, azure).Succeeded);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;")]
    public void Private_hosts_may_be_allowed_on_Azurite(string connectionString) =>
        Assert.True(Validate(true, new StorageOptions { ConnectionString = connectionString }).Succeeded);
}
