using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using WaServerless.Core.Sessions;
using WaServerless.Core.Webhooks;
using WaServerless.DevHost;
using WaServerless.Engines.Sandbox;
using WaServerless.TestKit;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// Opt-out and opt-in end to end: a recipient's STOP (an inbound message to the Sandbox) refuses
/// later sends with 403 and makes campaigns skip them, a webhook reports it, START lets sends go
/// again; the opt-in list is kept through the API.
/// </summary>
public sealed class ConsentApiTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>, IDisposable
{
    private readonly WireMockServer _receiver = StartReceiver();

    private DevHostInstance Host => fixture.Host;

    private static string DefaultSessionKey => SessionKey.Of(DemoAccountSeeder.DemoAccountId, "default");

    public void Dispose()
    {
        _receiver.Stop();
        _receiver.Dispose();
    }

    private static WireMockServer StartReceiver()
    {
        var server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPorts.Free()}"] });
        server.Given(Request.Create().WithPath("/consent-hooks").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        return server;
    }

    private async Task InjectAsync(string from, string text)
    {
        using var response = await Host.Client.PostAsJsonAsync($"sandbox/sessions/{DefaultSessionKey}/inbound", new { from, type = "text", text, profileName = "Grace" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private async Task<(int Status, JsonElement Body)> CallAsync(HttpMethod method, string path, object? body = null)
    {
        using var response = await Host.Client.SendAsync(Host.Request(method, path, body is null ? null : JsonContent.Create(body)));
        return ((int)response.StatusCode, await DevHostInstance.ReadAsync(response));
    }

    /// <summary>A send to <paramref name="recipient"/> until it answers <paramref name="status"/>: the keyword is applied by the connector a moment after the inbound message arrives.</summary>
    private Task<(int Status, JsonElement Body)> SendUntilAsync(string recipient, int status) =>
        Eventually.MatchesAsync(
            () => Host.SendJsonAsync(new { recipient, text = "Our spring offers" }),
            r => r.Status == status,
            TimeSpan.FromSeconds(30),
            $"a send to {recipient} to answer {status}");

    [Fact]
    public async Task A_stop_word_refuses_later_sends_and_campaigns_skip_the_recipient_until_a_start_word()
    {
        const string recipient = "+14155550931";
        var (hookStatus, hookBody) = await CallAsync(HttpMethod.Post, "api/webhooks", new { url = $"{_receiver.Url}/consent-hooks", events = new[] { WebhookEventTypes.ContactConsent } });
        Assert.True(hookStatus == 201, hookBody.ToString());
        Assert.Equal(202, (await Host.SendJsonAsync(new { recipient, text = "Welcome!" })).Status);

        await InjectAsync(recipient, " Stop! ");

        var (status, body) = await SendUntilAsync(recipient, 403);
        Assert.Equal("RECIPIENT_OPTED_OUT", body.GetProperty("error_code").GetString());
        Assert.Contains(recipient, body.GetProperty("error").GetString(), StringComparison.Ordinal);

        // The account's webhook hears of it once, as contact.consent.
        var consentEvent = await Eventually.MatchesAsync(
            () => Task.FromResult(_receiver.LogEntries.Where(e => e.RequestMessage.Path == "/consent-hooks").Select(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement.Clone()).ToList()),
            events => events.Count >= 1,
            TimeSpan.FromSeconds(30),
            "the contact.consent webhook");
        var data = Assert.Single(consentEvent).GetProperty("data");
        Assert.Equal("opted_out", data.GetProperty("consent").GetString());
        Assert.Equal(recipient, data.GetProperty("number").GetString());
        Assert.Equal("Stop!", data.GetProperty("keyword").GetString());

        // A campaign to them and another recipient sends to the other one only, and counts the skip.
        var bulk = new BulkApi(Host);
        var other = "+14155550932";
        var (created, campaign, _) = await bulk.CreateAsync(Host.ApiKey, new { text = "Spring sale", interval_seconds = 0, recipients = new[] { recipient, other } });
        Assert.True(created == 202, campaign.ToString());
        var campaignId = campaign.GetProperty("data").GetProperty("campaign").GetProperty("id").GetString()!;
        var done = await bulk.WaitForCampaignAsync(Host.ApiKey, campaignId, c => c.GetProperty("status").GetString() == "completed");
        Assert.Equal(1, done.GetProperty("progress").GetProperty("released").GetInt32());
        Assert.Equal(1, done.GetProperty("progress").GetProperty("skipped").GetInt32());
        await bulk.WaitForSendsAsync([other], TimeSpan.FromSeconds(30));
        Assert.DoesNotContain(Host.Service<SandboxEngine>().Sent, s => s.Request.Recipient == recipient && s.Request.Content is WaServerless.Core.Messages.TextContent { Text: "Spring sale" });

        // START opts them back in.
        await InjectAsync(recipient, "start");
        await SendUntilAsync(recipient, 202);
    }

    [Fact]
    public async Task The_opt_in_list_records_adds_pages_and_removes_numbers_and_overrides_an_earlier_stop()
    {
        const string stopped = "+14155550941";
        await InjectAsync(stopped, "UNSUBSCRIBE");
        await SendUntilAsync(stopped, 403);

        var numbers = Enumerable.Range(0, 3).Select(i => "+1415555095" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var (status, body) = await CallAsync(HttpMethod.Post, "api/optin", new Dictionary<string, object>
        {
            ["opt-in"] = new object[]
            {
                new { name = "Ada", number = "+1 (415) 555-0950" },
                new { name = "Bob", number = numbers[1] },
                new { number = numbers[2] },
                new { name = "Ada again", number = numbers[0] },
                new { name = "Back again", number = stopped },
            },
        });
        Assert.True(status == 200, body.ToString());
        Assert.Equal(4, body.GetProperty("data").GetProperty("received").GetInt32());
        Assert.Equal(4, body.GetProperty("data").GetProperty("added").GetInt32());

        // The one who said STOP and was then recorded as opted in may be sent to again.
        Assert.Equal(202, (await Host.SendJsonAsync(new { recipient = stopped, text = "Thanks for coming back" })).Status);

        var listed = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var (listStatus, page) = await CallAsync(HttpMethod.Get, "api/optin?limit=2" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.True(listStatus == 200, page.ToString());
            listed.AddRange(page.GetProperty("data").GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("data").TryGetProperty("next_cursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        // The other tests of this class share the account: only this test's numbers are compared.
        List<string> mine = [.. numbers, stopped];
        Assert.Equal(mine.Order(StringComparer.Ordinal), listed.Select(i => i.GetProperty("number").GetString()!).Where(mine.Contains).Order(StringComparer.Ordinal));
        Assert.Equal(listed.Count, listed.Select(i => i.GetProperty("number").GetString()).Distinct().Count());
        Assert.Equal("Ada", listed.Single(i => i.GetProperty("number").GetString() == numbers[0]).GetProperty("name").GetString());
        Assert.All(listed.Where(i => mine.Contains(i.GetProperty("number").GetString()!)), i => Assert.Equal("api", i.GetProperty("source").GetString()));

        var (removed, _) = await CallAsync(HttpMethod.Delete, "api/optin/" + Uri.EscapeDataString(numbers[1]));
        Assert.Equal(200, removed);
        var (again, againBody) = await CallAsync(HttpMethod.Delete, "api/optin/" + Uri.EscapeDataString(numbers[1]));
        Assert.Equal(404, again);
        Assert.Equal("OPT_IN_NOT_FOUND", againBody.GetProperty("error_code").GetString());
        var (_, after) = await CallAsync(HttpMethod.Get, "api/optin?limit=1000");
        Assert.DoesNotContain(after.GetProperty("data").GetProperty("items").EnumerateArray(), i => i.GetProperty("number").GetString() == numbers[1]);
    }

    [Fact]
    public async Task A_plan_that_requires_opt_in_sends_only_to_recipients_who_opted_in()
    {
        await using var host = await DevHostInstance.StartAsync(settings: new() { ["Plans:growth:RequireOptIn"] = "true" });
        var (status, body) = await host.SendJsonAsync(new { recipient = "+14155550961", text = "Hello" });
        Assert.Equal(403, status);
        Assert.Equal("RECIPIENT_NOT_OPTED_IN", body.GetProperty("error_code").GetString());

        using var optIn = await host.Client.SendAsync(host.Request(HttpMethod.Post, "api/optin", JsonContent.Create(new Dictionary<string, object> { ["opt-in"] = new[] { new { number = "+14155550961" } } })));
        Assert.Equal(HttpStatusCode.OK, optIn.StatusCode);
        Assert.Equal(202, (await host.SendJsonAsync(new { recipient = "+14155550961", text = "Hello" })).Status);

        // A recipient who opts in by sending START counts too.
        using var start = await host.Client.PostAsJsonAsync($"sandbox/sessions/{DefaultSessionKey}/inbound", new { from = "+14155550962", type = "text", text = "START" });
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        await Eventually.MatchesAsync(
            () => host.SendJsonAsync(new { recipient = "+14155550962", text = "Welcome" }),
            r => r.Status == 202,
            TimeSpan.FromSeconds(30),
            "a send to the recipient who sent START");
    }
}
