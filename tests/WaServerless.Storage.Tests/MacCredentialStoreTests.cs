using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Webhooks;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

/// <summary>SMSGlobal's MAC keys on Azurite, under a test clock: signatures, the window, nonces, revocation, and the nonce tables' upkeep.</summary>
public sealed class MacCredentialStoreTests : IAsyncLifetime
{
    private static readonly (string Host, int Port)[] Origin = [("api.example.net", 443)];
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private StorageClients _clients = null!;
    private MacCredentialStore _macs = null!;
    private string _accountId = null!;
    private string _keyId = null!;

    public async Task InitializeAsync()
    {
        _clients = (await Azurite.Shared).Clients(Azurite.NewPrefix());
        await new StorageInitializer(_clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        var accounts = new AccountStore(_clients, _clock);
        var keys = new ApiKeyStore(_clients, accounts, _clock);
        var account = await accounts.CreateAsync("A", "starter", 100, null, null, default);
        var (key, _) = await keys.CreateAsync(account.Id, "backend", null, default);
        (_accountId, _keyId) = (account.Id, key.KeyId);
        var protection = Options.Create(new WebhookOptions { EncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        _macs = new MacCredentialStore(_clients, keys, protection, _clock);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Signs as SMSGlobal's REST clients do, at the test clock's time unless told.</summary>
    private Task<(MacVerdict Verdict, KeyAuthentication? Caller)> VerifyAsync(string id, string secret, string nonce, DateTimeOffset? at = null, string path = "/api/smsglobal/v2/whatsapp")
    {
        var ts = (at ?? _clock.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{ts}\n{nonce}\nGET\n{path}\napi.example.net\n443\n\n")));
        return _macs.VerifyAsync(id, ts, nonce, mac, "GET", "/api/smsglobal/v2/whatsapp", Origin, default);
    }

    [Fact]
    public async Task A_signature_stands_for_its_key_once_per_nonce_within_five_minutes()
    {
        var (record, secret) = await _macs.CreateAsync(_accountId, _keyId, "crm", default);

        var first = await VerifyAsync(record.Id, secret, "n-1");
        var replayed = await VerifyAsync(record.Id, secret, "n-1");
        var stale = await VerifyAsync(record.Id, secret, "n-2", _clock.GetUtcNow().AddMinutes(-6));
        var otherPath = await VerifyAsync(record.Id, secret, "n-3", path: "/api/messages");
        var wrongSecret = await VerifyAsync(record.Id, "not-the-secret", "n-4");

        Assert.Equal(MacVerdict.Valid, first.Verdict);
        Assert.Equal(_keyId, first.Caller!.Caller!.Key.KeyId);
        Assert.Equal(
            [MacVerdict.ReplayedNonce, MacVerdict.StaleTimestamp, MacVerdict.BadSignature, MacVerdict.BadSignature],
            new[] { replayed.Verdict, stale.Verdict, otherPath.Verdict, wrongSecret.Verdict });
    }

    [Fact]
    public async Task A_revoked_key_is_unknown_and_another_account_cannot_revoke_it()
    {
        var (record, secret) = await _macs.CreateAsync(_accountId, _keyId, "crm", default);

        Assert.False(await _macs.RevokeAsync("acc_someone_else", record.Id, default));
        Assert.Equal(MacVerdict.Valid, (await VerifyAsync(record.Id, secret, "r-1")).Verdict);
        Assert.True(await _macs.RevokeAsync(_accountId, record.Id, default));
        Assert.Equal(MacVerdict.UnknownKey, (await VerifyAsync(record.Id, secret, "r-2")).Verdict);
        Assert.NotNull(Assert.Single(await _macs.ListAsync(_accountId, default)).RevokedAt);
    }

    [Fact]
    public async Task Nonces_go_to_the_table_of_their_signed_day_and_a_table_three_days_old_is_dropped()
    {
        var (record, secret) = await _macs.CreateAsync(_accountId, _keyId, "crm", default);
        var firstDay = DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime);
        Assert.Equal(MacVerdict.Valid, (await VerifyAsync(record.Id, secret, "d-1")).Verdict);
        var firstTable = _clients.Table(MacCredentialStore.NonceTableName(firstDay));
        Assert.True((await firstTable.GetEntityIfExistsAsync<Azure.Data.Tables.TableEntity>(record.Id, "d-1")).HasValue);

        _clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(MacVerdict.Valid, (await VerifyAsync(record.Id, secret, "d-1")).Verdict); // a new day's table: the nonce is new there

        var gone = await Assert.ThrowsAsync<RequestFailedException>(() => firstTable.GetEntityAsync<Azure.Data.Tables.TableEntity>(record.Id, "d-1"));
        Assert.Equal(404, gone.Status);
        Assert.Equal("TableNotFound", gone.ErrorCode);
    }
}
