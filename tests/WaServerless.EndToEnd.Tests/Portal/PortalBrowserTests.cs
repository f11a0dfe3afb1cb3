using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using WaServerless.Core.Sessions;
using WaServerless.DevHost;
using WaServerless.TestKit;
using static Microsoft.Playwright.Assertions;

namespace WaServerless.EndToEnd.Tests.Portal;

/// <summary>
/// A devhost whose sessions wait for a scan and show a new QR code every two seconds, and a headless
/// Chromium from Debian's packages (test.sh installs it) driven by Playwright for .NET.
/// </summary>
public sealed class PortalFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public DevHostInstance Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the pages' screenshots go: PORTAL_SCREENSHOTS (docs/portal when refreshing the docs), else the test output.</summary>
    public string Screenshots { get; } = Environment.GetEnvironmentVariable("PORTAL_SCREENSHOTS") is { Length: > 0 } dir
        ? dir
        : Path.Combine(AppContext.BaseDirectory, "portal-screenshots");

    public async Task InitializeAsync()
    {
        Host = await DevHostInstance.StartAsync(settings: new()
        {
            ["Sandbox:AutoPairAfter"] = null,
            ["Sandbox:QrRefreshInterval"] = "00:00:02",
            ["DevHost:WaitForDemoSession"] = "false",
        });
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } given ? given : "/usr/bin/chromium";
        Assert.True(File.Exists(chromium), $"{chromium} is missing: test.sh installs Debian's chromium package (or set CHROMIUM_PATH).");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // As this machine's probe runs it: no sandbox as root, and no background calls to hosts a closed network refuses.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>
/// The customer portal at /portal in a real browser: sign in with a key, pair a phone from the live
/// QR code, send and watch the message reach read, create and revoke a key, add a webhook; user
/// input shown as text only, under a strict Content-Security-Policy.
/// </summary>
public sealed class PortalBrowserTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private DevHostInstance Host => fixture.Host;

    private async Task<(IBrowserContext Context, IPage Page, List<string> Problems)> OpenAsync(int width = 1280, int height = 900)
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.Client.BaseAddress!.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout((float)Wait.TotalMilliseconds);
        // Expect(...) has its own default (5 s), too short for a send followed to read on a loaded machine.
        SetDefaultExpectTimeout((float)Wait.TotalMilliseconds);
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add("page error: " + error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                problems.Add("CSP: " + message.Text);
            }
        };
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        return (context, page, problems);
    }

    private async Task SignInAsync(IPage page, string key)
    {
        await page.GotoAsync("portal/");
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private async Task ShotAsync(IPage page, string name)
    {
        // The passing notice would cover part of the page.
        await page.EvaluateAsync("() => document.getElementById('toast').classList.remove('shown')");
        await page.WaitForTimeoutAsync(300); // its fade
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(fixture.Screenshots, name + ".png"), FullPage = true });
    }

    [Fact]
    public async Task A_customer_signs_in_pairs_a_phone_from_the_live_qr_sends_to_read_and_manages_keys_and_webhooks()
    {
        var (context, page, problems) = await OpenAsync();
        await using var _ = context;

        // A wrong key: the API's own message and code, and no way in.
        await SignInAsync(page, "SM-not-a-real-key-000000000000000");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("INVALID_KEY");
        await ShotAsync(page, "sign-in");

        await page.GetByLabel("API key").FillAsync(Host.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();
        Assert.DoesNotContain(Host.ApiKey, page.Url, StringComparison.Ordinal);
        Assert.Equal(Host.ApiKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('waserverless.apiKey')"));

        // A new session shows its QR code, which changes when the session's stream says so.
        await page.GetByLabel("New session name").FillAsync("Shop phone");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create session" }).ClickAsync();
        var card = page.Locator("article.session", new() { HasText = "Shop phone" });
        var qr = card.GetByRole(AriaRole.Img, new() { Name = "QR code to link Shop phone" });
        await Expect(qr).ToBeVisibleAsync();
        var first = await qr.GetAttributeAsync("src");
        Assert.StartsWith("blob:", first, StringComparison.Ordinal);
        await Expect(qr).Not.ToHaveAttributeAsync("src", first!, new() { Timeout = 15_000 }); // the page's own timer waits 20 s: this is the event stream
        Assert.True(await qr.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"), "the QR code is a picture");
        await ShotAsync(page, "sessions-pairing");

        // The phone scans it (the Sandbox control), and the card turns connected by itself.
        var sessionId = (await card.GetAttributeAsync("data-session"))!;
        await ScanAsync(sessionId);
        await Expect(card.Locator(".state")).ToHaveTextAsync("connected");
        await Expect(card).ToContainTextAsync("Connected as");
        await ScanAsync("default");
        await Host.WaitForSessionAsync(Host.ApiKey, "default", "connected");
        await page.ReloadAsync();
        await Expect(page.Locator("article.session", new() { HasText = "Shop phone" }).Locator(".state")).ToHaveTextAsync("connected");
        await ShotAsync(page, "sessions");

        // A send from the page, followed to read in its status history.
        await page.GetByRole(AriaRole.Link, new() { Name = "Messages" }).ClickAsync();
        await page.GetByLabel("Recipient").First.FillAsync("+14155550177");
        await page.GetByLabel("Text").FillAsync("Sent from the portal");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var detail = page.Locator("section.detail");
        await Expect(detail).ToContainTextAsync("+14155550177");
        var queueId = (await detail.Locator("h2 code").TextContentAsync())!;
        // The page follows the open message by itself until its status is final.
        await Expect(detail.Locator(".message-status")).ToHaveTextAsync("read");
        await Expect(page.Locator($"tr[data-queue-id='{queueId}'] .badge")).ToHaveTextAsync("read");
        await Expect(detail.Locator("ol.history li")).ToHaveCountAsync(await HistoryLengthAsync(queueId));
        await Expect(detail.Locator("ol.history li").First).ToContainTextAsync("queued");
        await ShotAsync(page, "messages");

        // A key that keeps ten minutes between two sends to one recipient: its second send waits, scheduled, in the normal lane.
        string gapKey;
        using (var createdKey = await Host.Client.SendAsync(Request(HttpMethod.Post, "api/keys", Host.ApiKey, JsonContent.Create(new { name = "Paced key", recipient_gap_seconds = 600 }))))
        {
            gapKey = (await DevHostInstance.ReadAsync(createdKey)).GetProperty("data").GetProperty("key").GetString()!;
        }

        var paced = new List<string>();
        foreach (var text in new[] { "First", "Second, ten minutes later" })
        {
            using var accepted = await Host.Client.SendAsync(Request(HttpMethod.Post, "api/send", gapKey, JsonContent.Create(new { recipient = "+14155550180", text })));
            var answer = await DevHostInstance.ReadAsync(accepted);
            Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, answer.ToString());
            paced.Add(answer.GetProperty("data").GetProperty("queue_id").GetString()!);
        }

        await Host.WaitForStatusAsync(paced[0], "read"); // the first one leaves the queue; the second waits its ten minutes
        await page.GetByRole(AriaRole.Link, new() { Name = "Queue" }).ClickAsync();
        var normal = page.GetByRole(AriaRole.Region, new() { Name = "Normal lane" });
        await Expect(normal).ToContainTextAsync("1 scheduled");
        await Expect(normal.Locator($"a[href='#/messages/{paced[1]}']")).ToHaveTextAsync("+14155550180");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "OTP lane" })).ToContainTextAsync("Empty");
        await ShotAsync(page, "queue");

        // A key is shown once, works, and stops working when revoked from the page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await page.GetByLabel("New key name").FillAsync("Browser key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var created = await page.GetByLabel("The new key").InputValueAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusWithKeyAsync(created));
        await ShotAsync(page, "keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke Browser key" }).ClickAsync();
        await Expect(page.Locator("tr", new() { HasText = "Browser key" }).Locator(".badge")).ToHaveTextAsync("revoked");
        Assert.Equal(HttpStatusCode.Forbidden, await StatusWithKeyAsync(created)); // KEY_INACTIVE: a revoked key is known, and refused

        // A webhook with an event filter; its secret is revealed once and the API lists it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await Expect(page.GetByText("No webhooks.")).ToBeVisibleAsync();
        await page.GetByLabel("Endpoint URL").FillAsync("http://127.0.0.1:9/portal-hook");
        await page.GetByLabel("Messages received").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add webhook" }).ClickAsync();
        await Expect(page.GetByLabel("Signing secret")).ToHaveValueAsync(new Regex("^whsec_"));
        var hook = page.GetByRole(AriaRole.Article, new() { Name = "Webhook http://127.0.0.1:9/portal-hook" });
        await Expect(hook).ToContainTextAsync("session.state");
        await Expect(hook).Not.ToContainTextAsync("message.inbound");
        await ShotAsync(page, "webhooks");

        // A campaign (its sending window twelve hours away) paused, resumed and cancelled from the page.
        await page.GetByRole(AriaRole.Link, new() { Name = "Campaigns" }).ClickAsync();
        await Expect(page.GetByText("No campaigns yet.")).ToBeVisibleAsync();
        var window = DateTime.UtcNow.AddHours(12);
        var (created202, campaignBody, _) = await new BulkApi(Host).CreateAsync(Host.ApiKey, new
        {
            name = "Spring sale",
            text = "20% off this week",
            interval_seconds = 1,
            window_start = window.ToString("HH:00", CultureInfo.InvariantCulture),
            window_end = window.AddHours(1).ToString("HH:00", CultureInfo.InvariantCulture),
            time_zone = "UTC",
            recipients = new[] { "+14155550178", "+14155550179" },
        });
        Assert.True(created202 == 202, campaignBody.ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
        var campaign = page.GetByRole(AriaRole.Article, new() { Name = "Campaign Spring sale" });
        await Expect(campaign.Locator(".badge")).ToHaveTextAsync("running", new() { Timeout = 60_000 });
        await campaign.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(campaign.Locator(".badge")).ToHaveTextAsync("paused");
        await ShotAsync(page, "campaigns");
        await campaign.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Expect(campaign.Locator(".badge")).ToHaveTextAsync("running");
        await campaign.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(campaign.Locator(".badge")).ToHaveTextAsync("cancelled");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('waserverless.apiKey')"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Names_from_user_input_are_shown_as_text_and_the_page_runs_on_a_phone_screen()
    {
        const string hostile = "<img src=x onerror=\"window.pwned=1\">Ops";
        using (var created = await Host.Client.SendAsync(Request(HttpMethod.Post, "api/sessions", Host.ApiKey, JsonContent.Create(new { name = hostile }))))
        {
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        }

        var (context, page, problems) = await OpenAsync(390, 844);
        await using var _ = context;
        await SignInAsync(page, Host.ApiKey);

        var card = page.GetByRole(AriaRole.Article, new() { Name = "Session " + hostile });
        await Expect(card.GetByRole(AriaRole.Heading, new() { Name = hostile })).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("img[src='x']").CountAsync());
        Assert.Null(await page.EvaluateAsync<int?>("() => window.pwned"));
        // Nothing wider than the phone's screen: no sideways scrolling to reach a button.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page fits a 390 px screen");
        await ShotAsync(page, "sessions-phone");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_key_revoked_while_signed_in_returns_the_page_to_sign_in_with_the_apis_reason()
    {
        string key, keyId;
        using (var created = await Host.Client.SendAsync(Request(HttpMethod.Post, "api/keys", Host.ApiKey, JsonContent.Create(new { name = "Short-lived" }))))
        {
            var data = (await DevHostInstance.ReadAsync(created)).GetProperty("data");
            (key, keyId) = (data.GetProperty("key").GetString()!, data.GetProperty("details").GetProperty("key_id").GetString()!);
        }

        var (context, page, problems) = await OpenAsync();
        await using var _ = context;
        await SignInAsync(page, key);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sessions", Exact = true })).ToBeVisibleAsync();

        using (var revoked = await Host.Client.SendAsync(Request(HttpMethod.Delete, $"api/keys/{keyId}", Host.ApiKey)))
        {
            Assert.True(revoked.IsSuccessStatusCode);
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("KEY_INACTIVE");
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('waserverless.apiKey')"));
        Assert.Empty(problems);
    }

    [Fact]
    public async Task The_portal_is_served_with_a_strict_content_security_policy_and_no_credential()
    {
        using var response = await Host.Client.GetAsync("portal");
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        using var missing = await Host.Client.GetAsync("portal/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task ScanAsync(string sessionId)
    {
        using var scan = await Host.Client.PostAsync($"sandbox/sessions/{SessionKey.Of(DemoAccountSeeder.DemoAccountId, sessionId)}/scan", null);
        Assert.Equal(HttpStatusCode.NoContent, scan.StatusCode);
    }

    private async Task<int> HistoryLengthAsync(string queueId) =>
        (await Host.GetMessageAsync(queueId)).GetProperty("data").GetProperty("history").GetArrayLength();

    private async Task<HttpStatusCode> StatusWithKeyAsync(string key)
    {
        using var response = await Host.Client.SendAsync(Request(HttpMethod.Get, "api/sessions", key));
        return response.StatusCode;
    }

    private static HttpRequestMessage Request(HttpMethod method, string path, string key, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-API-Key", key);
        return request;
    }
}
