using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

public sealed class ApiKeyLifecycleTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
    private AccountStore _accounts = null!;
    private ApiKeyStore _keys = null!;
    private string _prefix = null!;

    public async Task InitializeAsync()
    {
        _prefix = Azurite.NewPrefix();
        var clients = (await Azurite.Shared).Clients(_prefix);
        await new StorageInitializer(clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        _accounts = new AccountStore(clients, _clock);
        _keys = new ApiKeyStore(clients, _accounts, _clock);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_revoked_key_is_refused_as_revoked_and_listed_as_such()
    {
        var account = await _accounts.CreateAsync("A", "starter", 100, null, null, default);
        var (record, secret) = await _keys.CreateAsync(account.Id, "old", null, default);
        var (_, other) = await _keys.CreateAsync(account.Id, "new", TimeSpan.FromSeconds(5), default);

        Assert.NotNull(await _keys.RevokeAsync(record.KeyId, account.Id, default));

        Assert.Equal(KeyAuthenticationStatus.Revoked, (await _keys.AuthenticateAsync(secret, default)).Status);
        Assert.Equal(KeyAuthenticationStatus.Valid, (await _keys.AuthenticateAsync(other, default)).Status);
        var listed = await _keys.ListAsync(account.Id, default);
        Assert.Equal(2, listed.Count);
        Assert.NotNull(listed.Single(k => k.KeyId == record.KeyId).RevokedAt);
        Assert.Equal(TimeSpan.FromSeconds(5), listed.Single(k => k.Name == "new").RecipientGap);
    }

    [Fact]
    public async Task A_remembered_answer_is_dropped_at_once_by_a_change_here_and_lapses_after_its_age_for_a_change_elsewhere()
    {
        var maxAge = TimeSpan.FromSeconds(5);
        var account = await _accounts.CreateAsync("Cached", "starter", 100, null, null, default);
        var (record, secret) = await _keys.CreateAsync(account.Id, "k", null, default);
        Assert.Equal(KeyAuthenticationStatus.Valid, (await _keys.AuthenticateAsync(secret, maxAge, default)).Status);

        // Another instance (its own stores on the same tables) revokes the key: here it keeps working until the answer lapses.
        var clients = (await Azurite.Shared).Clients(_prefix);
        var elsewhere = new ApiKeyStore(clients, new AccountStore(clients, _clock), _clock);
        Assert.NotNull(await elsewhere.RevokeAsync(record.KeyId, account.Id, default));
        Assert.Equal(KeyAuthenticationStatus.Valid, (await _keys.AuthenticateAsync(secret, maxAge, default)).Status);
        _clock.Advance(maxAge);
        Assert.Equal(KeyAuthenticationStatus.Revoked, (await _keys.AuthenticateAsync(secret, maxAge, default)).Status);

        // A suspension made through this instance is seen by the very next call.
        var (_, other) = await _keys.CreateAsync(account.Id, "k2", null, default);
        Assert.Equal(KeyAuthenticationStatus.Valid, (await _keys.AuthenticateAsync(other, maxAge, default)).Status);
        await _accounts.SetStatusAsync(account.Id, AccountStatus.Suspended, default);
        Assert.Equal(KeyAuthenticationStatus.AccountSuspended, (await _keys.AuthenticateAsync(other, maxAge, default)).Status);
    }

    [Fact]
    public async Task One_account_cannot_revoke_another_accounts_key()
    {
        var a = await _accounts.CreateAsync("A", "starter", 100, null, null, default);
        var b = await _accounts.CreateAsync("B", "starter", 100, null, null, default);
        var (keyOfB, secretOfB) = await _keys.CreateAsync(b.Id, "b", null, default);

        Assert.Null(await _keys.RevokeAsync(keyOfB.KeyId, a.Id, default));
        Assert.Equal(KeyAuthenticationStatus.Valid, (await _keys.AuthenticateAsync(secretOfB, default)).Status);
        Assert.Empty(await _keys.ListAsync(a.Id, default));
        Assert.NotNull(await _keys.RevokeAsync(keyOfB.KeyId, null, default));
    }

    [Fact]
    public async Task A_suspended_account_and_an_ended_trial_are_told_apart()
    {
        var suspended = await _accounts.CreateAsync("S", "starter", 100, null, null, default);
        var trial = await _accounts.CreateAsync("T", "starter", 100, _clock.GetUtcNow().AddDays(14), null, default);
        var (_, suspendedKey) = await _keys.CreateAsync(suspended.Id, "s", null, default);
        var (_, trialKey) = await _keys.CreateAsync(trial.Id, "t", null, default);

        await _accounts.SetStatusAsync(suspended.Id, AccountStatus.Suspended, default);
        Assert.Equal(KeyAuthenticationStatus.AccountSuspended, (await _keys.AuthenticateAsync(suspendedKey, default)).Status);
        Assert.Equal(KeyAuthenticationStatus.Valid, (await _keys.AuthenticateAsync(trialKey, default)).Status);

        _clock.Advance(TimeSpan.FromDays(14));
        Assert.Equal(KeyAuthenticationStatus.SubscriptionExpired, (await _keys.AuthenticateAsync(trialKey, default)).Status);

        await _accounts.SetStatusAsync(suspended.Id, AccountStatus.Active, default);
        Assert.Equal(KeyAuthenticationStatus.Valid, (await _keys.AuthenticateAsync(suspendedKey, default)).Status);
    }
}
