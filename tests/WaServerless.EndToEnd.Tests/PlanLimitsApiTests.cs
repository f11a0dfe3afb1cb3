using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace WaServerless.EndToEnd.Tests;

/// <summary>A plan's sessions per account and messages per day, as data in plans.json, enforced over HTTP.</summary>
public sealed class PlanLimitsApiTests : IAsyncLifetime
{
    private DevHostInstance _host = null!;

    public async Task InitializeAsync() =>
        _host = await DevHostInstance.StartAsync(settings: new()
        {
            ["Connector:Enabled"] = "false",
            ["Admin:ApiKey"] = DevHostInstance.AdminKey,
            // The free plan as shipped allows 100 a day; three keep the test short.
            ["Plans:free:DailyMessages"] = "3",
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<string> FreeAccountKeyAsync()
    {
        var account = await AdminPostAsync("api/accounts", new { name = "Free tier", plan = "free" });
        var key = await AdminPostAsync($"api/accounts/{account.GetProperty("id").GetString()}/keys", new { name = "free" });
        return key.GetProperty("key").GetString()!;
    }

    /// <summary>An admin call's data; a 503 from a shared Azurite slowed by the rest of the suite is asked again.</summary>
    private async Task<JsonElement> AdminPostAsync(string path, object body)
    {
        var (status, answer) = await _host.SendAskingAgainAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Add("X-Admin-Key", DevHostInstance.AdminKey);
            return request;
        });
        Assert.True((int)status is >= 200 and < 300, $"POST {path}: {(int)status} {answer}");
        return answer.GetProperty("data");
    }

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(string key, string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-API-Key", key);
        var response = await _host.Client.SendAsync(request);
        return (response.StatusCode, await DevHostInstance.ReadAsync(response), response);
    }

    [Fact]
    public async Task A_free_account_gets_ten_sessions_and_its_days_messages_then_clear_refusals()
    {
        var key = await FreeAccountKeyAsync();

        // The default session counts: nine more make ten.
        for (var i = 1; i <= 9; i++)
        {
            var (created, body, _) = await PostAsync(key, "api/sessions", new { name = $"line {i}" });
            Assert.True(created == HttpStatusCode.Created, body.ToString());
        }

        var (refused, refusedBody, _) = await PostAsync(key, "api/sessions", new { name = "one too many" });
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Equal("SESSION_LIMIT_REACHED", refusedBody.GetProperty("error_code").GetString());

        for (var i = 0; i < 3; i++)
        {
            var (sent, sentBody, _) = await PostAsync(key, "api/send", new { recipient = $"+1415555{7000 + i}", text = "today", wait_for_session = true });
            Assert.True(sent == HttpStatusCode.Accepted, sentBody.ToString());
        }

        var (limited, limitedBody, limitedResponse) = await PostAsync(key, "api/send", new { recipient = "+14155557009", text = "one more", wait_for_session = true });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        Assert.Equal("DAILY_LIMIT_REACHED", limitedBody.GetProperty("error_code").GetString());
        Assert.True(limitedResponse.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }
}
