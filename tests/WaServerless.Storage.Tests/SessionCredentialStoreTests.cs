using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Sessions;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>WhatsApp session credentials at rest: encrypted, bound to their session, written only under the lease.</summary>
public sealed class SessionCredentialStoreTests : IAsyncLifetime
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("noise-keys-and-signal-identity");
    private StorageClients _clients = null!;

    public async Task InitializeAsync()
    {
        _clients = (await Azurite.Shared).Clients(Azurite.NewPrefix());
        await new StorageInitializer(_clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private SessionCredentialStore Store(string? key) => new(_clients, Options.Create(new SessionOptions { EncryptionKey = key }));

    private async Task<string> SaveAsync(SessionCredentialStore store, string sessionKey)
    {
        var lease = await store.TryAcquireAsync(sessionKey, Guid.NewGuid().ToString(), TimeSpan.FromSeconds(15), default);
        Assert.NotNull(lease);
        await store.SaveAsync(sessionKey, lease, Secret, default);
        return lease;
    }

    [Fact]
    public async Task Credentials_are_encrypted_at_rest_and_do_not_decrypt_in_another_sessions_blob_or_with_another_key()
    {
        var store = Store(Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()));
        await SaveAsync(store, "acc~one");

        var raw = (await store.BlobOf("acc~one").DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(-1, raw.AsSpan().IndexOf(Secret));
        Assert.Equal(Secret, await store.LoadAsync("acc~one", default));

        await store.BlobOf("acc~two").UploadAsync(BinaryData.FromBytes(raw), overwrite: true);
        Assert.Null(await store.LoadAsync("acc~two", default));
        Assert.Null(await Store(Convert.ToBase64String(new byte[32])).LoadAsync("acc~one", default));
    }

    [Fact]
    public async Task Without_a_key_azurite_runs_keep_them_plain_and_a_keyed_store_refuses_plain_ones()
    {
        await SaveAsync(Store(null), "acc~plain");

        Assert.Equal(Secret, await Store(null).LoadAsync("acc~plain", default));
        Assert.Null(await Store(Convert.ToBase64String(new byte[32])).LoadAsync("acc~plain", default));
    }
}
