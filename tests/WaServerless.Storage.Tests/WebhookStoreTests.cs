using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Webhooks;
using WaServerless.TestKit;

namespace WaServerless.Storage.Tests;

public sealed class WebhookStoreTests : IAsyncLifetime
{
    private static readonly Uri Url = new("https://hooks.example.com/wa");
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private StorageClients _clients = null!;
    private WebhookStore _store = null!;

    public async Task InitializeAsync()
    {
        _clients = (await Azurite.Shared).Clients();
        await new StorageInitializer(_clients, NullLogger<StorageInitializer>.Instance).StartAsync(default);
        _store = StoreWith(Key);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private WebhookStore StoreWith(string? key) => new(_clients, _clock, Options.Create(new WebhookOptions { EncryptionKey = key }));

    [Fact]
    public async Task The_secret_is_encrypted_at_rest_and_decrypts_for_signing()
    {
        var (endpoint, secret) = await _store.CreateAsync("acc_a", Url, ["*"], null, default);

        var row = (await _clients.Table(TableNames.Webhooks).GetEntityAsync<TableEntity>("acc_a", endpoint.Id)).Value;
        var secretBody = secret["whsec_".Length..];
        foreach (var (name, value) in row)
        {
            var text = value switch
            {
                string s => s,
                byte[] b => Encoding.UTF8.GetString(b) + Convert.ToBase64String(b),
                _ => value?.ToString() ?? string.Empty,
            };
            Assert.DoesNotContain(secretBody, text, StringComparison.Ordinal);
        }

        Assert.IsType<byte[]>(row["Secret"]);
        var target = await _store.GetTargetAsync("acc_a", endpoint.Id, default);
        Assert.Equal([secret], target!.Secrets);
    }

    [Fact]
    public async Task Another_key_or_no_key_cannot_read_the_secret_and_no_key_cannot_create()
    {
        var (endpoint, _) = await _store.CreateAsync("acc_a", Url, ["*"], null, default);

        Assert.Empty((await StoreWith(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).GetTargetAsync("acc_a", endpoint.Id, default))!.Secrets);
        var keyless = StoreWith(null);
        Assert.False(keyless.CanStoreSecrets);
        Assert.Empty((await keyless.GetTargetAsync("acc_a", endpoint.Id, default))!.Secrets);
        await Assert.ThrowsAsync<WebhookEncryptionKeyMissingException>(() => keyless.CreateAsync("acc_a", Url, ["*"], null, default));
    }

    [Fact]
    public async Task A_ciphertext_copied_to_another_row_does_not_decrypt_there()
    {
        var (first, _) = await _store.CreateAsync("acc_a", Url, ["*"], null, default);
        var (second, _) = await _store.CreateAsync("acc_b", Url, ["*"], null, default);
        var table = _clients.Table(TableNames.Webhooks);
        var stolen = (await table.GetEntityAsync<TableEntity>("acc_a", first.Id)).Value["Secret"];

        await table.UpdateEntityAsync(new TableEntity("acc_b", second.Id) { ["Secret"] = stolen }, Azure.ETag.All, TableUpdateMode.Merge);

        Assert.Empty((await _store.GetTargetAsync("acc_b", second.Id, default))!.Secrets);
    }

    [Fact]
    public async Task Create_list_get_update_and_delete_stay_in_the_account()
    {
        var (a1, _) = await _store.CreateAsync("acc_a", Url, ["message.status"], "orders", default);
        var (a2, _) = await _store.CreateAsync("acc_a", new Uri("https://other.example.com/x"), ["*"], null, default);
        var (b1, _) = await _store.CreateAsync("acc_b", Url, ["*"], null, default);

        Assert.Equal(new[] { a1.Id, a2.Id }.Order(StringComparer.Ordinal), (await _store.ListAsync("acc_a", default)).Select(w => w.Id));
        Assert.Null(await _store.GetAsync("acc_a", b1.Id, default));
        Assert.Null(await _store.GetTargetAsync("acc_b", a1.Id, default));
        Assert.False(await _store.DeleteAsync("acc_b", a1.Id, default));
        Assert.Null(await _store.UpdateAsync("acc_b", a1.Id, null, null, false, null, default));

        var got = await _store.GetAsync("acc_a", a1.Id, default);
        Assert.Equal(Url.AbsoluteUri, got!.Url);
        Assert.Equal(["message.status"], got.Events);
        Assert.Equal("orders", got.Description);
        Assert.True(got.Enabled);
        Assert.Equal(_clock.GetUtcNow(), got.CreatedAt);

        var updated = await _store.UpdateAsync("acc_a", a1.Id, new Uri("https://new.example.com/h"), ["session.state", "message.inbound"], false, null, default);
        Assert.Equal("https://new.example.com/h", updated!.Url);
        Assert.Equal(["session.state", "message.inbound"], updated.Events);
        Assert.False(updated.Enabled);
        Assert.Equal("by_owner", updated.Health.DisabledReason);
        Assert.Equal("orders", updated.Description);

        Assert.True(await _store.DeleteAsync("acc_a", a1.Id, default));
        Assert.Equal([a2.Id], (await _store.ListAsync("acc_a", default)).Select(w => w.Id));
        Assert.Equal([b1.Id], (await _store.ListAsync("acc_b", default)).Select(w => w.Id));
    }

    [Fact]
    public async Task Targets_are_the_enabled_endpoints_subscribed_to_the_type()
    {
        var (status, _) = await _store.CreateAsync("acc_t", Url, ["message.status"], null, default);
        var (all, _) = await _store.CreateAsync("acc_t", Url, ["*"], null, default);
        var (off, _) = await _store.CreateAsync("acc_t", Url, ["message.status"], null, default);
        await _store.UpdateAsync("acc_t", off.Id, null, null, false, null, default);

        var forStatus = await _store.ListTargetsAsync("acc_t", "message.status", default);
        var forSession = await _store.ListTargetsAsync("acc_t", "session.state", default);

        Assert.Equal(new[] { status.Id, all.Id }.Order(StringComparer.Ordinal), forStatus.Select(t => t.Endpoint.Id).Order(StringComparer.Ordinal));
        Assert.Equal([all.Id], forSession.Select(t => t.Endpoint.Id));
        Assert.All(forStatus, t => Assert.Single(t.Secrets));
    }

    [Fact]
    public async Task A_rotated_secret_signs_alongside_the_old_one_until_the_grace_period_ends()
    {
        var (endpoint, old) = await _store.CreateAsync("acc_r", Url, ["*"], null, default);

        var (_, fresh) = (await _store.RotateSecretAsync("acc_r", endpoint.Id, TimeSpan.FromHours(24), default))!.Value;

        Assert.NotEqual(old, fresh);
        Assert.Equal([fresh, old], (await _store.GetTargetAsync("acc_r", endpoint.Id, default))!.Secrets);
        _clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal([fresh], (await _store.GetTargetAsync("acc_r", endpoint.Id, default))!.Secrets);
        Assert.Null(await _store.RotateSecretAsync("acc_other", endpoint.Id, TimeSpan.FromHours(24), default));
    }

    [Fact]
    public async Task Failures_build_a_streak_that_disables_the_endpoint_only_when_long_and_old_enough_and_a_success_clears_it()
    {
        var (endpoint, _) = await _store.CreateAsync("acc_h", Url, ["*"], null, default);
        var start = _clock.GetUtcNow();

        Assert.False(await _store.RecordFailureAsync("acc_h", endpoint.Id, new(false, "500", "HTTP 500", start), 3, TimeSpan.FromHours(1), default));
        Assert.False(await _store.RecordFailureAsync("acc_h", endpoint.Id, new(false, "500", "HTTP 500", start.AddMinutes(1)), 3, TimeSpan.FromHours(1), default));
        // Three in a row, but not yet an hour of failing.
        Assert.False(await _store.RecordFailureAsync("acc_h", endpoint.Id, new(false, "timeout", "no response", start.AddMinutes(2)), 3, TimeSpan.FromHours(1), default));
        var failing = (await _store.GetAsync("acc_h", endpoint.Id, default))!;
        Assert.Equal(3, failing.Health.ConsecutiveFailures);
        Assert.Equal(start, failing.Health.FailingSince);
        Assert.Equal("timeout", failing.Health.LastStatus);
        Assert.True(failing.Enabled);

        await _store.RecordSuccessAsync("acc_h", endpoint.Id, new(true, "200", null, start.AddMinutes(3)), default);
        var healthy = (await _store.GetAsync("acc_h", endpoint.Id, default))!;
        Assert.Equal(0, healthy.Health.ConsecutiveFailures);
        Assert.Null(healthy.Health.FailingSince);
        Assert.Null(healthy.Health.LastError);
        Assert.Equal("200", healthy.Health.LastStatus);

        for (var i = 0; i < 3; i++)
        {
            Assert.False(await _store.RecordFailureAsync("acc_h", endpoint.Id, new(false, "503", "HTTP 503", start.AddMinutes(10 + i)), 3, TimeSpan.FromHours(1), default));
        }

        Assert.True(await _store.RecordFailureAsync("acc_h", endpoint.Id, new(false, "503", "HTTP 503", start.AddMinutes(75)), 3, TimeSpan.FromHours(1), default));
        var disabled = (await _store.GetAsync("acc_h", endpoint.Id, default))!;
        Assert.False(disabled.Enabled);
        Assert.Equal("failing", disabled.Health.DisabledReason);

        var enabled = (await _store.UpdateAsync("acc_h", endpoint.Id, null, null, true, null, default))!;
        Assert.True(enabled.Enabled);
        Assert.Equal(0, enabled.Health.ConsecutiveFailures);
        Assert.Null(enabled.Health.DisabledReason);
        Assert.Null(enabled.Health.FailingSince);
    }

    [Fact]
    public async Task Pending_deliveries_are_added_once_found_when_due_claimed_by_one_and_completed()
    {
        var deliveries = new WebhookDeliveryStore(_clients);
        var now = _clock.GetUtcNow();
        await deliveries.AddAsync("wh_p1", "acc_p", "evt_1", "message.status", "{}", 1, now, now.AddSeconds(30), "500", default);
        await deliveries.AddAsync("wh_p1", "acc_p", "evt_1", "message.status", "{\"again\":1}", 0, now, now, null, default);
        await deliveries.AddAsync("wh_p1", "acc_p", "evt_2", "message.status", "{}", 1, now, now.AddMinutes(5), "500", default);

        Assert.Empty(await deliveries.GetDueAsync(now, 10, default));
        var due = await deliveries.GetDueAsync(now.AddMinutes(1), 10, default);
        var first = Assert.Single(due);
        Assert.Equal(("evt_1", "{}", 1, "500"), (first.EventId, first.Body, first.Attempts, first.LastStatus));
        Assert.Equal(2, await deliveries.CountPendingAsync("wh_p1", 100, default));

        var claimed = await deliveries.TryClaimAsync(first, now.AddMinutes(2), default);
        Assert.NotNull(claimed);
        Assert.Null(await deliveries.TryClaimAsync(first, now.AddMinutes(2), default));
        Assert.Empty(await deliveries.GetDueAsync(now.AddMinutes(1), 10, default));

        await deliveries.RescheduleAsync(claimed!, 2, now.AddMinutes(3), "503", default);
        var again = Assert.Single(await deliveries.GetDueAsync(now.AddMinutes(3), 10, default));
        Assert.Equal((2, "503"), (again.Attempts, again.LastStatus));

        await deliveries.CompleteAsync(again, default);
        Assert.Equal(1, await deliveries.CountPendingAsync("wh_p1", 100, default));
    }
}
