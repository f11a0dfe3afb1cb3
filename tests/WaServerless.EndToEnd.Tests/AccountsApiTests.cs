using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.EndToEnd.Tests;

public sealed class AccountsFixture : IAsyncLifetime
{
    public DevHostInstance Host { get; private set; } = null!;

    /// <summary>Serves HEAD /big.jpg with a 30 MB Content-Length and /small.jpg with 1 KB, for the media size check.</summary>
    public WebApplication MediaServer { get; private set; } = null!;

    public string MediaBase { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await DevHostInstance.StartAsync(settings: new()
        {
            ["Media:AllowPrivateHosts"] = "true",
            ["Plans:tiny:SubmissionsPerMinute"] = "2",
            ["Plans:tiny:MonthlyQuota"] = "1000",
            ["Plans:tiny:MaxMediaBytes"] = "1000000",
            ["Plans:tiny:RecipientDailyCap"] = "50",
            ["Plans:capped:SubmissionsPerMinute"] = "100",
            ["Plans:capped:MonthlyQuota"] = "1000",
            ["Plans:capped:MaxMediaBytes"] = "1000000",
            ["Plans:capped:RecipientDailyCap"] = "1",
        });

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        MediaServer = builder.Build();
        MediaServer.MapMethods("/big.jpg", ["HEAD", "GET"], (HttpContext c) => { c.Response.ContentLength = 30L * 1024 * 1024; c.Response.ContentType = "image/jpeg"; return Task.CompletedTask; });
        MediaServer.MapMethods("/small.jpg", ["HEAD", "GET"], (HttpContext c) => { c.Response.ContentLength = 1024; c.Response.ContentType = "image/jpeg"; return Task.CompletedTask; });
        await MediaServer.StartAsync();
        MediaBase = MediaServer.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync()
    {
        await MediaServer.DisposeAsync();
        await Host.DisposeAsync();
    }
}

/// <summary>The admin and key API, and every limit's error code with its HTTP status, over HTTP.</summary>
public sealed class AccountsApiTests(AccountsFixture fixture) : IClassFixture<AccountsFixture>
{
    private DevHostInstance Host => fixture.Host;

    private async Task<(int Status, JsonElement Body)> CallAsync(HttpMethod method, string path, object? body = null, string? apiKey = null, string? adminKey = DevHostInstance.AdminKey)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (adminKey is not null)
        {
            request.Headers.Add("X-Admin-Key", adminKey);
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }

        using var response = await Host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    private async Task<(string AccountId, string Key, string KeyId)> NewAccountAsync(string plan = "starter", object? extra = null, int? gap = null)
    {
        var fields = JsonSerializer.SerializeToElement(extra ?? new { }).EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value);
        fields["name"] = "Acme " + Guid.NewGuid().ToString("N")[..6];
        fields["plan"] = plan;
        var (status, account) = await CallAsync(HttpMethod.Post, "api/accounts", fields);
        Assert.Equal(201, status);
        var accountId = account.GetProperty("data").GetProperty("id").GetString()!;
        var (keyStatus, key) = await CallAsync(HttpMethod.Post, $"api/accounts/{accountId}/keys", gap is null ? new { name = "ci" } : new { name = "ci", recipient_gap_seconds = gap });
        Assert.Equal(201, keyStatus);
        var data = key.GetProperty("data");
        var secret = data.GetProperty("key").GetString()!;
        await Host.WaitForSessionAsync(secret, "default", "connected");
        return (accountId, secret, data.GetProperty("details").GetProperty("key_id").GetString()!);
    }

    private async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> SendAsync(string key, object fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/send") { Content = JsonContent.Create(fields) };
        request.Headers.Add("X-API-Key", key);
        var response = await Host.Client.SendAsync(request);
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response), response);
    }

    private static void AssertError(int status, JsonElement body, int expectedStatus, string expectedCode)
    {
        Assert.Equal(expectedStatus, status);
        Assert.False(body.GetProperty("success").GetBoolean());
        Assert.Equal(expectedCode, body.GetProperty("error_code").GetString());
        Assert.Equal(expectedStatus, body.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_new_account_key_sends_lists_without_secrets_and_stops_working_once_revoked()
    {
        var (accountId, key, keyId) = await NewAccountAsync();
        var (sent, _, _) = await SendAsync(key, new { recipient = "+14155550201", text = "first" });
        Assert.Equal(202, sent);

        var (_, listed) = await CallAsync(HttpMethod.Get, $"api/accounts/{accountId}/keys");
        var raw = listed.GetRawText();
        Assert.DoesNotContain(key, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(key[3..], raw, StringComparison.Ordinal);
        Assert.Equal(keyId, Assert.Single(listed.GetProperty("data").EnumerateArray()).GetProperty("key_id").GetString());

        var (revoked, revokedBody) = await CallAsync(HttpMethod.Delete, $"api/keys/{keyId}");
        Assert.Equal(200, revoked);
        Assert.Equal("revoked", revokedBody.GetProperty("data").GetProperty("status").GetString());

        var (status, body, _) = await SendAsync(key, new { recipient = "+14155550201", text = "after revoke" });
        AssertError(status, body, 403, "KEY_INACTIVE");
    }

    [Fact]
    public async Task Key_holders_manage_only_their_own_accounts_keys()
    {
        var (_, keyA, keyIdA) = await NewAccountAsync();
        var (_, keyB, _) = await NewAccountAsync();

        var (created, createdBody) = await CallAsync(HttpMethod.Post, "api/keys", new { name = "second" }, apiKey: keyA, adminKey: null);
        Assert.Equal(201, created);
        var secondKey = createdBody.GetProperty("data").GetProperty("key").GetString()!;
        var (_, ownKeys) = await CallAsync(HttpMethod.Get, "api/keys", apiKey: keyA, adminKey: null);
        Assert.Equal(2, ownKeys.GetProperty("data").GetArrayLength());
        var (_, othersKeys) = await CallAsync(HttpMethod.Get, "api/keys", apiKey: keyB, adminKey: null);
        Assert.Equal(1, othersKeys.GetProperty("data").GetArrayLength());

        var (crossStatus, crossBody) = await CallAsync(HttpMethod.Delete, $"api/keys/{keyIdA}", apiKey: keyB, adminKey: null);
        AssertError(crossStatus, crossBody, 404, "KEY_NOT_FOUND");
        Assert.Equal(202, (await SendAsync(keyA, new { recipient = "+14155550202", text = "still works" })).Status);

        var (ownStatus, _) = await CallAsync(HttpMethod.Delete, $"api/keys/{keyIdA}", apiKey: secondKey, adminKey: null);
        Assert.Equal(200, ownStatus);
        AssertError(403, (await SendAsync(keyA, new { recipient = "+14155550202", text = "gone" })).Body, 403, "KEY_INACTIVE");
    }

    [Fact]
    public async Task The_admin_api_needs_the_admin_credential_not_an_account_key()
    {
        var (_, key, _) = await NewAccountAsync();

        var (noKey, noKeyBody) = await CallAsync(HttpMethod.Get, "api/accounts", adminKey: null);
        AssertError(noKey, noKeyBody, 401, "ADMIN_KEY_REQUIRED");
        var (wrong, wrongBody) = await CallAsync(HttpMethod.Get, "api/accounts", adminKey: "not-the-admin-credential-at-all");
        AssertError(wrong, wrongBody, 401, "ADMIN_KEY_REQUIRED");
        var (accountKey, accountKeyBody) = await CallAsync(HttpMethod.Post, "api/accounts", new { name = "x" }, apiKey: key, adminKey: null);
        AssertError(accountKey, accountKeyBody, 401, "ADMIN_KEY_REQUIRED");
        var (badPlan, badPlanBody) = await CallAsync(HttpMethod.Post, "api/accounts", new { name = "x", plan = "platinum" });
        AssertError(badPlan, badPlanBody, 400, "INVALID_PLAN");
        var (badGap, badGapBody) = await CallAsync(HttpMethod.Post, "api/keys", new { recipient_gap_seconds = 601 }, apiKey: key, adminKey: null);
        AssertError(badGap, badGapBody, 400, "INVALID_FIELD");
    }

    [Fact]
    public async Task A_suspended_account_gets_403_and_an_ended_trial_402()
    {
        var (accountId, key, _) = await NewAccountAsync(extra: new { trial_days = 7 });
        Assert.Equal(200, (await CallAsync(HttpMethod.Post, $"api/accounts/{accountId}/suspend")).Status);
        AssertError(403, (await SendAsync(key, new { recipient = "+14155550203", text = "x" })).Body, 403, "ACCOUNT_SUSPENDED");

        Assert.Equal(200, (await CallAsync(HttpMethod.Post, $"api/accounts/{accountId}/activate")).Status);
        Assert.Equal(202, (await SendAsync(key, new { recipient = "+14155550203", text = "x" })).Status);

        // End the trial in storage rather than wait seven days.
        var table = Host.Service<StorageClients>().Table(TableNames.Accounts);
        await table.UpdateEntityAsync(new TableEntity("account", accountId) { ["TrialEndsAt"] = DateTimeOffset.UtcNow.AddMinutes(-1) }, Azure.ETag.All, TableUpdateMode.Merge);

        // A change made outside this instance (here, straight in storage) is seen once the instance's
        // remembered answer for the key lapses: within Api:CallerCacheDuration.
        var cacheDuration = Host.Service<Microsoft.Extensions.Options.IOptions<WaServerless.Api.Http.ApiOptions>>().Value.CallerCacheDuration;
        // Poll until a send that started after the cache lapsed has answered: under load one send can
        // take longer than the whole cache duration, so the clock is read before each send, not after.
        var seenBy = DateTimeOffset.UtcNow + cacheDuration + TimeSpan.FromSeconds(1);
        int status;
        JsonElement body;
        DateTimeOffset started;
        do
        {
            started = DateTimeOffset.UtcNow;
            (status, body, _) = await SendAsync(key, new { recipient = "+14155550203", text = "x" });
            if (status != 402 && started < seenBy)
            {
                await Task.Delay(250);
            }
        }
        while (status != 402 && started < seenBy);

        AssertError(status, body, 402, "SUBSCRIPTION_EXPIRED");
    }

    [Fact]
    public async Task The_monthly_quota_is_reported_in_every_202_and_enforced_with_402()
    {
        var (_, key, _) = await NewAccountAsync(extra: new { monthly_quota = 2 });

        var first = await SendAsync(key, new { recipient = "+14155550204", text = "1" });
        var second = await SendAsync(key, new { recipient = "+14155550205", text = "2" });
        var third = await SendAsync(key, new { recipient = "+14155550206", text = "3" });

        Assert.Equal(1, first.Body.GetProperty("data").GetProperty("remaining_quota").GetInt64());
        Assert.Equal(0, second.Body.GetProperty("data").GetProperty("remaining_quota").GetInt64());
        AssertError(third.Status, third.Body, 402, "QUOTA_EXCEEDED");
    }

    [Fact]
    public async Task Going_over_the_per_minute_limit_is_429_with_retry_after_and_ratelimit_headers()
    {
        var (_, key, _) = await NewAccountAsync("tiny");
        Assert.Equal(202, (await SendAsync(key, new { recipient = "+14155550207", text = "1" })).Status);
        Assert.Equal(202, (await SendAsync(key, new { recipient = "+14155550208", text = "2" })).Status);

        var (status, body, response) = await SendAsync(key, new { recipient = "+14155550209", text = "3" });

        AssertError(status, body, 429, "RATE_LIMITED");
        var retryAfter = int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("2", response.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("0", response.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal(retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Headers.GetValues("RateLimit-Reset").Single());
        response.Dispose();
    }

    [Fact]
    public async Task The_recipient_daily_cap_is_429_RECIPIENT_DAILY_CAP()
    {
        var (_, key, _) = await NewAccountAsync("capped");
        Assert.Equal(202, (await SendAsync(key, new { recipient = "+14155550210", text = "1" })).Status);

        var (status, body, response) = await SendAsync(key, new { recipient = "+14155550210", text = "2" });

        AssertError(status, body, 429, "RECIPIENT_DAILY_CAP");
        Assert.True(response.Headers.Contains("Retry-After"));
        response.Dispose();
    }

    [Fact]
    public async Task A_second_otp_inside_the_cooldown_is_429_OTP_COOLDOWN()
    {
        var (_, key, _) = await NewAccountAsync();
        Assert.Equal(202, (await SendAsync(key, new { recipient = "+14155550211", text = "code 1", priority = "otp" })).Status);

        var (status, body, response) = await SendAsync(key, new { recipient = "+14155550211", text = "code 2", priority = "otp" });

        AssertError(status, body, 429, "OTP_COOLDOWN");
        Assert.InRange(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        response.Dispose();
    }

    [Fact]
    public async Task A_send_inside_the_keys_recipient_gap_is_scheduled_and_still_delivered()
    {
        // A gap of a few seconds: the second send must come inside it even on a loaded machine.
        var (_, key, _) = await NewAccountAsync(gap: 4);
        Assert.Equal(202, (await SendAsync(key, new { recipient = "+14155550212", text = "1" })).Status);

        var (status, body, _) = await SendAsync(key, new { recipient = "+14155550212", text = "2" });

        Assert.Equal(202, status);
        var data = body.GetProperty("data");
        Assert.Equal("scheduled", data.GetProperty("status").GetString());
        Assert.True(data.GetProperty("scheduled_at").GetDateTimeOffset() > data.GetProperty("timestamp").GetDateTimeOffset());
        using var get = new HttpRequestMessage(HttpMethod.Get, "api/messages/" + data.GetProperty("queue_id").GetString());
        var message = await Eventually(key, data.GetProperty("queue_id").GetString()!, "read");
        Assert.Equal("scheduled", message.GetProperty("history")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_scheduled_message_can_be_cancelled_and_a_delivered_one_cannot()
    {
        var (_, key, _) = await NewAccountAsync(gap: 600);
        var first = await SendAsync(key, new { recipient = "+14155550215", text = "now" });
        var second = await SendAsync(key, new { recipient = "+14155550215", text = "in ten minutes" });
        var firstId = first.Body.GetProperty("data").GetProperty("queue_id").GetString()!;
        var secondId = second.Body.GetProperty("data").GetProperty("queue_id").GetString()!;
        Assert.Equal("scheduled", second.Body.GetProperty("data").GetProperty("status").GetString());

        var (cancelled, cancelledBody) = await CallAsync(HttpMethod.Post, $"api/messages/{secondId}/cancel", apiKey: key, adminKey: null);
        Assert.Equal(200, cancelled);
        Assert.Equal("cancelled", cancelledBody.GetProperty("data").GetProperty("status").GetString());

        await Eventually(key, firstId, "read");
        var (late, lateBody) = await CallAsync(HttpMethod.Post, $"api/messages/{firstId}/cancel", apiKey: key, adminKey: null);
        AssertError(late, lateBody, 409, "MESSAGE_NOT_CANCELLABLE");
        var (_, missingBody) = await CallAsync(HttpMethod.Post, "api/messages/msg_01JZZZZZZZZZZZZZZZZZZZZZZZ/cancel", apiKey: key, adminKey: null);
        Assert.Equal("MESSAGE_NOT_FOUND", missingBody.GetProperty("error_code").GetString());
        Assert.Equal("cancelled", (await Eventually(key, secondId, "cancelled")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Media_larger_than_the_plan_allows_is_413_MEDIA_TOO_LARGE()
    {
        var (_, key, _) = await NewAccountAsync();

        var (status, body, _) = await SendAsync(key, new { recipient = "+14155550213", file = fixture.MediaBase + "/big.jpg" });
        var (okStatus, _, _) = await SendAsync(key, new { recipient = "+14155550214", file = fixture.MediaBase + "/small.jpg" });

        AssertError(status, body, 413, "MEDIA_TOO_LARGE");
        Assert.Equal(202, okStatus);
    }

    private async Task<JsonElement> Eventually(string key, string queueId, string wanted) =>
        await WaServerless.TestKit.Eventually.MatchesAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "api/messages/" + queueId);
                request.Headers.Add("X-API-Key", key);
                using var response = await Host.Client.SendAsync(request);
                return (await DevHostInstance.ReadAsync(response)).GetProperty("data");
            },
            m => m.GetProperty("status").GetString() == wanted,
            TimeSpan.FromSeconds(30),
            $"{queueId} to be {wanted}");
}
