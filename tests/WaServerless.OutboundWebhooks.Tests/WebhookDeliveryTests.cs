using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Contracts;
using WaServerless.Core.Messages;
using WaServerless.Core.Webhooks;
using WaServerless.Storage;
using WaServerless.Storage.Infrastructure;
using WaServerless.Storage.Webhooks;
using WaServerless.TestKit;
using WaServerless.Queues;
using WaServerless.OutboundWebhooks;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace WaServerless.OutboundWebhooks.Tests;

/// <summary>
/// Webhook delivery against a WireMock.Net receiver on loopback: the subscriber's first attempt,
/// the sweeper's retries under a fake clock, signatures, and what is and is not retried.
/// </summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private const string Account = "acc_wh";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 6, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly WireMockServer _receiver = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPorts.Free()}"] });
    private ServiceProvider _services = null!;

    public async Task InitializeAsync() => _services = await BuildAsync(allowLocalTargets: true);

    public async Task DisposeAsync()
    {
        _receiver.Stop();
        _receiver.Dispose();
        await _services.DisposeAsync();
    }

    private WebhookStore Store => _services.GetRequiredService<WebhookStore>();

    private WebhookDeliveryStore Pending => _services.GetRequiredService<WebhookDeliveryStore>();

    private WebhookDeliverer Deliverer => _services.GetRequiredService<WebhookDeliverer>();

    private IEventSubscriber Subscriber => Assert.Single(_services.GetServices<IEventSubscriber>());

    private async Task<ServiceProvider> BuildAsync(bool allowLocalTargets, string timeout = "00:00:05")
    {
        var azurite = await Azurite.Shared;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = Azurite.NewPrefix(),
            ["Webhooks:EncryptionKey"] = Convert.ToBase64String(new byte[32]),
            ["Webhooks:AllowLocalTargets"] = allowLocalTargets ? "true" : "false",
            ["Webhooks:Timeout"] = timeout,
            ["Webhooks:MaxAttempts"] = "3",
            ["Webhooks:RetryInitialDelay"] = "00:00:10",
            ["Webhooks:RetryMaxDelay"] = "00:01:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<TimeProvider>(_clock);
        services.AddLogging();
        services.AddWaServerlessStorage();
        services.AddWaServerlessOutboundWebhooks();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        await new StorageInitializer(provider.GetRequiredService<StorageClients>(), NullLogger<StorageInitializer>.Instance).StartAsync(default);
        return provider;
    }

    private async Task<(WebhookEndpoint Endpoint, string Secret)> RegisterAsync(string path, string events = "*") =>
        await Store.CreateAsync(Account, new Uri(_receiver.Url + path), [events], null, default);

    private void Answer(string path, int status, TimeSpan? delay = null)
    {
        var response = Response.Create().WithStatusCode(status);
        _receiver.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(delay is { } d ? response.WithDelay(d) : response);
    }

    private DeliveryEvent Status(MessageStatus status, string messageId = "msg_01") => new()
    {
        EventId = $"{messageId}.{status.ToWire()}.1",
        MessageId = messageId,
        AccountId = Account,
        SessionKey = Account + "~default",
        Status = status,
        At = _clock.GetUtcNow(),
    };

    private List<ILogEntry> Requests(string path) => [.. _receiver.LogEntries.Where(e => e.RequestMessage.Path == path)];

    private static string Header(ILogEntry entry, string name) => entry.RequestMessage.Headers![name].Single();

    private async Task<int> SweepLaterAsync(TimeSpan wait)
    {
        _clock.Advance(wait);
        return await Deliverer.SweepAsync(default);
    }

    [Fact]
    public async Task An_event_arrives_signed_with_its_id_type_and_attempt_headers()
    {
        Answer("/ok", 200);
        var (endpoint, secret) = await RegisterAsync("/ok");

        await Subscriber.OnEventAsync(Status(MessageStatus.Delivered), default);

        var request = Assert.Single(Requests("/ok"));
        var body = Encoding.UTF8.GetBytes(request.RequestMessage.Body!);
        Assert.True(WebhookSignature.Verify(secret, Header(request, WebhookSignature.SignatureHeader), body, _clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Header(request, WebhookSignature.TimestampHeader));
        Assert.StartsWith("application/json", Header(request, "Content-Type"), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(json.RootElement.GetProperty("id").GetString(), Header(request, WebhookSignature.EventIdHeader));
        Assert.Equal("message.status", Header(request, WebhookSignature.EventTypeHeader));
        Assert.Equal("1", Header(request, WebhookSignature.AttemptHeader));
        Assert.Equal("delivered", json.RootElement.GetProperty("data").GetProperty("status").GetString());
        var health = (await Store.GetAsync(Account, endpoint.Id, default))!.Health;
        Assert.Equal("200", health.LastStatus);
        Assert.Equal(0, await Pending.CountPendingAsync(endpoint.Id, 10, default));
    }

    [Fact]
    public async Task Only_subscribed_enabled_endpoints_of_the_events_account_receive_it()
    {
        Answer("/status", 200);
        Answer("/sessions", 200);
        Answer("/off", 200);
        await RegisterAsync("/status", WebhookEventTypes.MessageStatus);
        await RegisterAsync("/sessions", WebhookEventTypes.SessionState);
        var (off, _) = await RegisterAsync("/off");
        await Store.UpdateAsync(Account, off.Id, null, null, false, null, default);
        await Store.CreateAsync("acc_other", new Uri(_receiver.Url + "/other"), ["*"], null, default);

        await Subscriber.OnEventAsync(Status(MessageStatus.Sent), default);

        Assert.Single(Requests("/status"));
        Assert.Empty(Requests("/sessions"));
        Assert.Empty(Requests("/off"));
        Assert.Empty(Requests("/other"));
    }

    [Fact]
    public async Task A_500_is_retried_by_the_sweeper_with_the_same_event_id_until_it_succeeds()
    {
        _receiver.Given(Request.Create().WithPath("/flaky").UsingPost()).InScenario("flaky").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(500));
        _receiver.Given(Request.Create().WithPath("/flaky").UsingPost()).InScenario("flaky").WhenStateIs("up")
            .RespondWith(Response.Create().WithStatusCode(200));
        var (endpoint, secret) = await RegisterAsync("/flaky");

        await Subscriber.OnEventAsync(Status(MessageStatus.Read), default);

        Assert.Single(Requests("/flaky"));
        var failing = (await Store.GetAsync(Account, endpoint.Id, default))!.Health;
        Assert.Equal(("500", 1), (failing.LastStatus, failing.ConsecutiveFailures));
        Assert.Equal(0, await Deliverer.SweepAsync(default));

        Assert.Equal(1, await SweepLaterAsync(TimeSpan.FromMinutes(1)));

        var requests = Requests("/flaky");
        Assert.Equal(2, requests.Count);
        Assert.Equal(Header(requests[0], WebhookSignature.EventIdHeader), Header(requests[1], WebhookSignature.EventIdHeader));
        Assert.Equal(["1", "2"], requests.Select(r => Header(r, WebhookSignature.AttemptHeader)));
        Assert.True(WebhookSignature.Verify(secret, Header(requests[1], WebhookSignature.SignatureHeader), Encoding.UTF8.GetBytes(requests[1].RequestMessage.Body!), _clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.Equal(0, await Pending.CountPendingAsync(endpoint.Id, 10, default));
        var healthy = (await Store.GetAsync(Account, endpoint.Id, default))!.Health;
        Assert.Equal(("200", 0), (healthy.LastStatus, healthy.ConsecutiveFailures));
    }

    [Fact]
    public async Task A_400_is_not_retried()
    {
        Answer("/bad", 400);
        var (endpoint, _) = await RegisterAsync("/bad");

        await Subscriber.OnEventAsync(Status(MessageStatus.Sent), default);
        await SweepLaterAsync(TimeSpan.FromMinutes(5));

        Assert.Single(Requests("/bad"));
        Assert.Equal(0, await Pending.CountPendingAsync(endpoint.Id, 10, default));
        Assert.Equal("400", (await Store.GetAsync(Account, endpoint.Id, default))!.Health.LastStatus);
    }

    [Fact]
    public async Task Delivery_gives_up_after_the_last_attempt()
    {
        Answer("/down", 503);
        var (endpoint, _) = await RegisterAsync("/down");

        await Subscriber.OnEventAsync(Status(MessageStatus.Sent), default);
        Assert.Equal(1, await SweepLaterAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(1, await SweepLaterAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(0, await SweepLaterAsync(TimeSpan.FromMinutes(2)));

        Assert.Equal(3, Requests("/down").Count);
        Assert.Equal(0, await Pending.CountPendingAsync(endpoint.Id, 10, default));
        Assert.Equal(3, (await Store.GetAsync(Account, endpoint.Id, default))!.Health.ConsecutiveFailures);
    }

    [Fact]
    public async Task A_timeout_is_retried_and_a_429s_retry_after_is_honoured()
    {
        await _services.DisposeAsync();
        _services = await BuildAsync(allowLocalTargets: true, timeout: "00:00:01");
        Answer("/slow", 200, TimeSpan.FromSeconds(3));
        _receiver.Given(Request.Create().WithPath("/busy").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "45"));
        var (slow, _) = await RegisterAsync("/slow");
        var (busy, _) = await RegisterAsync("/busy");

        await Subscriber.OnEventAsync(Status(MessageStatus.Sent), default);

        Assert.Equal("timeout", (await Store.GetAsync(Account, slow.Id, default))!.Health.LastStatus);
        Assert.Equal(1, await Pending.CountPendingAsync(slow.Id, 10, default));
        var retry = Assert.Single(await Pending.GetDueAsync(_clock.GetUtcNow().AddMinutes(5), 10, default), p => p.WebhookId == busy.Id);
        Assert.Equal("429", retry.LastStatus);
        Assert.True(retry.NextAttemptAt >= _clock.GetUtcNow().AddSeconds(45), $"next attempt at {retry.NextAttemptAt:o}");
    }

    [Fact]
    public async Task While_an_endpoint_is_failing_new_events_wait_for_the_sweeper_instead_of_holding_the_queue()
    {
        Answer("/down", 500);
        var (endpoint, _) = await RegisterAsync("/down");
        await Subscriber.OnEventAsync(Status(MessageStatus.Sent, "msg_a"), default);

        await Subscriber.OnEventAsync(Status(MessageStatus.Sent, "msg_b"), default);
        await Subscriber.OnEventAsync(Status(MessageStatus.Sent, "msg_c"), default);

        Assert.Single(Requests("/down"));
        Assert.Equal(3, await Pending.CountPendingAsync(endpoint.Id, 10, default));

        // In the sweep, the first due delivery fails again, and the others wait out the backoff untried.
        Assert.Equal(1, await SweepLaterAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(2, Requests("/down").Count);
        Assert.Empty(await Pending.GetDueAsync(_clock.GetUtcNow(), 10, default));
    }

    [Fact]
    public async Task Pending_retries_of_a_deleted_endpoint_are_dropped()
    {
        Answer("/gone", 500);
        var (endpoint, _) = await RegisterAsync("/gone");
        await Subscriber.OnEventAsync(Status(MessageStatus.Sent), default);

        await Store.DeleteAsync(Account, endpoint.Id, default);
        await SweepLaterAsync(TimeSpan.FromMinutes(1));

        Assert.Single(Requests("/gone"));
        Assert.Equal(0, await Pending.CountPendingAsync(endpoint.Id, 10, default));
    }

    [Fact]
    public async Task Without_the_local_flag_a_loopback_target_is_refused_when_connecting()
    {
        await using var strict = await BuildAsync(allowLocalTargets: false);
        Answer("/inside", 200);
        var store = strict.GetRequiredService<WebhookStore>();
        var (endpoint, _) = await store.CreateAsync(Account, new Uri(_receiver.Url + "/inside"), ["*"], null, default);

        var result = await strict.GetRequiredService<WebhookDeliverer>().PingAsync((await store.GetTargetAsync(Account, endpoint.Id, default))!, default);

        Assert.Equal(WebhookAttemptOutcome.Failed, result.Outcome);
        Assert.Equal("blocked", result.Status);
        Assert.Empty(Requests("/inside"));
    }

    [Fact]
    public async Task A_ping_reaches_the_endpoint_signed_and_reports_the_answer()
    {
        Answer("/ping", 204);
        var (endpoint, secret) = await RegisterAsync("/ping", WebhookEventTypes.MessageInbound);

        var result = await Deliverer.PingAsync((await Store.GetTargetAsync(Account, endpoint.Id, default))!, default);

        Assert.Equal((WebhookAttemptOutcome.Delivered, 204), (result.Outcome, result.StatusCode));
        var request = Assert.Single(Requests("/ping"));
        Assert.Equal("ping", Header(request, WebhookSignature.EventTypeHeader));
        Assert.True(WebhookSignature.Verify(secret, Header(request, WebhookSignature.SignatureHeader), Encoding.UTF8.GetBytes(request.RequestMessage.Body!), _clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
    }

}
