using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>OAuth2 clients and their tokens on Azurite, under a test clock: issue, use, expiry, revocation.</summary>
public sealed class OAuthClientStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private StorageClients _clients = null!;
    private AccountStore _accounts = null!;
    private ApiKeyStore _keys = null!;
    private OAuthClientStore _oauth = null!;

    public async Task InitializeAsync()
    {
        _clients = (await Azurite.Shared).Clients(Azurite.NewPrefix());
        await new StorageInitializer(_clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        _accounts = new AccountStore(_clients, _clock);
        _keys = new ApiKeyStore(_clients, _accounts, _clock);
        _oauth = new OAuthClientStore(_clients, _keys, _clock);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(Account Account, ApiKeyRecord Key, OAuthClientRecord Client, string Secret)> ClientAsync()
    {
        var account = await _accounts.CreateAsync("A", "starter", 100, null, null, default);
        var (key, _) = await _keys.CreateAsync(account.Id, "backend", null, default);
        var (client, secret) = await _oauth.CreateAsync(account.Id, key.KeyId, "billing", default);
        return (account, key, client, secret);
    }

    [Fact]
    public async Task A_token_stands_for_the_key_that_created_its_client_until_it_expires()
    {
        var (account, key, client, secret) = await ClientAsync();

        var issued = await _oauth.IssueTokenAsync(client.ClientId, secret, Hour, default);

        Assert.Equal(TokenIssueStatus.Issued, issued.Status);
        Assert.True(OAuthFormat.IsToken(issued.AccessToken));
        Assert.Equal(_clock.GetUtcNow() + Hour, issued.ExpiresAt);
        var caller = await _oauth.AuthenticateTokenAsync(issued.AccessToken!, TimeSpan.Zero, default);
        Assert.Equal(KeyAuthenticationStatus.Valid, caller.Status);
        Assert.Equal((account.Id, key.KeyId), (caller.Caller!.Account.Id, caller.Caller.Key.KeyId));

        _clock.Advance(Hour - TimeSpan.FromSeconds(1));
        Assert.Equal(KeyAuthenticationStatus.Valid, (await _oauth.AuthenticateTokenAsync(issued.AccessToken!, TimeSpan.Zero, default)).Status);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(KeyAuthenticationStatus.Expired, (await _oauth.AuthenticateTokenAsync(issued.AccessToken!, TimeSpan.Zero, default)).Status);

        // An expired token is deleted when presented: after that it is simply unknown.
        Assert.Equal(KeyAuthenticationStatus.Unknown, (await _oauth.AuthenticateTokenAsync(issued.AccessToken!, TimeSpan.Zero, default)).Status);
    }

    [Fact]
    public async Task A_remembered_token_is_never_remembered_past_its_expiry()
    {
        var (_, _, client, secret) = await ClientAsync();
        var issued = await _oauth.IssueTokenAsync(client.ClientId, secret, TimeSpan.FromMinutes(1), default);

        Assert.Equal(KeyAuthenticationStatus.Valid, (await _oauth.AuthenticateTokenAsync(issued.AccessToken!, TimeSpan.FromMinutes(5), default)).Status);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(KeyAuthenticationStatus.Expired, (await _oauth.AuthenticateTokenAsync(issued.AccessToken!, TimeSpan.FromMinutes(5), default)).Status);
    }

    [Fact]
    public async Task Wrong_secrets_unknown_clients_and_revoked_clients_get_no_token()
    {
        var (account, _, client, secret) = await ClientAsync();

        Assert.Equal(TokenIssueStatus.InvalidClient, (await _oauth.IssueTokenAsync(client.ClientId, OAuthFormat.NewClientSecret(), Hour, default)).Status);
        Assert.Equal(TokenIssueStatus.InvalidClient, (await _oauth.IssueTokenAsync(OAuthFormat.NewClientId(), secret, Hour, default)).Status);
        Assert.Equal(TokenIssueStatus.InvalidClient, (await _oauth.IssueTokenAsync(client.ClientId, secret[..^1], Hour, default)).Status);

        var before = await _oauth.IssueTokenAsync(client.ClientId, secret, Hour, default);
        Assert.NotNull(await _oauth.RevokeAsync(account.Id, client.ClientId, default));

        Assert.Equal(TokenIssueStatus.InvalidClient, (await _oauth.IssueTokenAsync(client.ClientId, secret, Hour, default)).Status);
        Assert.Equal(KeyAuthenticationStatus.Unknown, (await _oauth.AuthenticateTokenAsync(before.AccessToken!, TimeSpan.Zero, default)).Status);
        Assert.False(Assert.Single(await _oauth.ListAsync(account.Id, default)).RevokedAt is null);
    }

    [Fact]
    public async Task A_client_whose_key_was_revoked_is_unauthorized_and_its_tokens_stop_working()
    {
        var (account, key, client, secret) = await ClientAsync();
        var token = (await _oauth.IssueTokenAsync(client.ClientId, secret, Hour, default)).AccessToken!;

        await _keys.RevokeAsync(key.KeyId, account.Id, default);

        var refused = await _oauth.IssueTokenAsync(client.ClientId, secret, Hour, default);
        Assert.Equal((TokenIssueStatus.UnauthorizedClient, KeyAuthenticationStatus.Revoked), (refused.Status, refused.CallerStatus));
        Assert.Equal(KeyAuthenticationStatus.Revoked, (await _oauth.AuthenticateTokenAsync(token, TimeSpan.Zero, default)).Status);
    }

    [Fact]
    public async Task Secrets_and_tokens_are_stored_only_as_hashes()
    {
        var (account, _, client, secret) = await ClientAsync();
        var token = (await _oauth.IssueTokenAsync(client.ClientId, secret, Hour, default)).AccessToken!;

        var stored = new List<string>();
        foreach (var table in new[] { TableNames.OAuthClients, TableNames.OAuthClientLookup, TableNames.OAuthTokens })
        {
            await foreach (var entity in _clients.Table(table).QueryAsync<TableEntity>())
            {
                stored.AddRange(entity.Select(p => $"{p.Key}={p.Value switch { byte[] b => Convert.ToBase64String(b), var v => v?.ToString() }}"));
            }
        }

        Assert.NotEmpty(stored);
        Assert.DoesNotContain(stored, s => s.Contains(secret, StringComparison.Ordinal) || s.Contains(token, StringComparison.Ordinal));
        Assert.Contains(stored, s => s.Contains(OAuthFormat.TokenId(token), StringComparison.Ordinal));
        Assert.Contains(stored, s => s.Contains(account.Id, StringComparison.Ordinal));
    }
}
