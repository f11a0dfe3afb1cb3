using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WaServerless.Engines.Sandbox;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// What the API asks a session's engine through the connector: the groups of the session's number
/// and whether numbers are on WhatsApp, with the number-check cache and the key's hourly allowance.
/// </summary>
public sealed class LookupsApiTests : IAsyncLifetime
{
    private DevHostInstance _host = null!;

    public async Task InitializeAsync() =>
        _host = await DevHostInstance.StartAsync(settings: new() { ["Lookups:NumberChecksPerHour"] = "5", ["Lookups:Wait"] = "00:00:30" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> CallAsync(HttpMethod method, string path, object? body = null)
    {
        var response = await _host.Client.SendAsync(_host.Request(method, path, body is null ? null : JsonContent.Create(body)));
        return (response.StatusCode, await DevHostInstance.ReadAsync(response), response);
    }

    [Fact]
    public async Task The_groups_of_the_sessions_number_come_from_its_engine_and_are_reused_while_fresh()
    {
        var (status, body, _) = await CallAsync(HttpMethod.Get, "api/groups");

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var data = body.GetProperty("data");
        Assert.Equal("listed", data.GetProperty("status").GetString());
        Assert.Equal(
            [("120363099887766554@g.us", "Sandbox customers", 42), ("120363025246125486@g.us", "Sandbox team", 5)],
            data.GetProperty("groups").EnumerateArray().Select(g => (g.GetProperty("id").GetString(), g.GetProperty("name").GetString(), g.GetProperty("participants").GetInt32())));
        var listedAt = data.GetProperty("listed_at").GetDateTimeOffset();

        var (_, again, _) = await CallAsync(HttpMethod.Get, "api/groups?session=default");
        Assert.Equal(listedAt, again.GetProperty("data").GetProperty("listed_at").GetDateTimeOffset());

        var (_, refreshed, _) = await CallAsync(HttpMethod.Get, "api/groups?refresh=true");
        Assert.True(refreshed.GetProperty("data").GetProperty("listed_at").GetDateTimeOffset() > listedAt);

        var (badFlag, badFlagBody, _) = await CallAsync(HttpMethod.Get, "api/groups?refresh=maybe");
        Assert.Equal(HttpStatusCode.BadRequest, badFlag);
        Assert.Equal("INVALID_FIELD", badFlagBody.GetProperty("error_code").GetString());
        var (missing, missingBody, _) = await CallAsync(HttpMethod.Get, "api/groups?session=nope");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("SESSION_NOT_FOUND", missingBody.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Numbers_are_normalised_checked_once_answered_from_the_cache_and_limited_per_key()
    {
        var sandbox = _host.Service<SandboxEngine>();

        var (status, body, _) = await CallAsync(HttpMethod.Post, "api/contacts/check", new { phones = new[] { "+1 415 555 0101", "14155550000", "not a number" } });

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        var results = body.GetProperty("data").GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(("+14155550101", true, "14155550101", "checked"), (results[0].GetProperty("number").GetString(), results[0].GetProperty("exists").GetBoolean(), results[0].GetProperty("wa_id").GetString(), results[0].GetProperty("status").GetString()));
        Assert.Equal(("+14155550000", false, "checked"), (results[1].GetProperty("number").GetString(), results[1].GetProperty("exists").GetBoolean(), results[1].GetProperty("status").GetString()));
        Assert.Equal("invalid", results[2].GetProperty("status").GetString());
        Assert.False(results[2].GetProperty("exists").GetBoolean());
        Assert.Equal("not a number", results[2].GetProperty("number").GetString());
        Assert.Equal(["+14155550000", "+14155550101"], sandbox.Checked.Order(StringComparer.Ordinal));

        // Asked again, the answer comes from the cache: WhatsApp is not asked and nothing is counted.
        var (one, oneBody, _) = await CallAsync(HttpMethod.Get, "api/contacts/check?phone=%2B14155550101");
        Assert.Equal(HttpStatusCode.OK, one);
        Assert.True(oneBody.GetProperty("data").GetProperty("exists").GetBoolean());
        Assert.Equal(2, sandbox.Checked.Count);

        // Two of the key's five an hour are used: four more would pass the allowance, so none is asked.
        var (limited, limitedBody, limitedResponse) = await CallAsync(HttpMethod.Post, "api/contacts/check", new { phones = new[] { "+14155550102", "+14155550103", "+14155550104", "+14155550105" } });
        Assert.Equal(HttpStatusCode.TooManyRequests, limited);
        Assert.Equal("RATE_LIMITED", limitedBody.GetProperty("error_code").GetString());
        Assert.True(limitedResponse.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(2, sandbox.Checked.Count);

        var (within, withinBody, _) = await CallAsync(HttpMethod.Post, "api/contacts/check", new { phones = new[] { "+14155550102", "+14155550103", "+14155550104" } });
        Assert.True(within == HttpStatusCode.OK, withinBody.ToString());
        Assert.Equal(3, withinBody.GetProperty("data").GetProperty("checked").GetInt32());
        Assert.Equal(5, sandbox.Checked.Count);
    }

    [Theory]
    [InlineData("""{"phones": []}""")]
    [InlineData("""{"phones": "[1, 2]"}""")]
    [InlineData("""{"phones": ["+14155550101"], "number": "+14155550101"}""")]
    public async Task A_bad_number_check_request_is_refused_with_a_clear_error(string json)
    {
        using var request = _host.Request(HttpMethod.Post, "api/contacts/check", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        using var response = await _host.Client.SendAsync(request);
        var body = await DevHostInstance.ReadAsync(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error_code").GetString()));
    }
}
