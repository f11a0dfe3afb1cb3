using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

public sealed class ApiKeyStoreTests
{
    [Fact]
    public async Task A_created_key_authenticates_its_account_and_is_stored_only_hashed()
    {
        var clients = (await Azurite.Shared).Clients();
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        var clock = new FakeTimeProvider();
        var accounts = new AccountStore(clients, clock);
        var keys = new ApiKeyStore(clients, accounts, clock);
        var account = await accounts.CreateAsync("A", "starter", 100, null, null, default);

        var (record, secret) = await keys.CreateAsync(account.Id, "ci", null, default);

        Assert.True(ApiKeyFormat.IsWellFormed(secret));
        var authenticated = await keys.AuthenticateAsync(secret, default);
        Assert.Equal(KeyAuthenticationStatus.Valid, authenticated.Status);
        Assert.Equal(account.Id, authenticated.Caller!.Account.Id);
        Assert.Equal(KeyAuthenticationStatus.Unknown, (await keys.AuthenticateAsync(ApiKeyFormat.Generate(), default)).Status);
        await foreach (var row in clients.Table(TableNames.ApiKeys).QueryAsync<Azure.Data.Tables.TableEntity>(e => e.RowKey == record.KeyId))
        {
            Assert.DoesNotContain(row, kv => kv.Value is string s && s.Contains(secret[3..], StringComparison.Ordinal));
        }
    }
}
