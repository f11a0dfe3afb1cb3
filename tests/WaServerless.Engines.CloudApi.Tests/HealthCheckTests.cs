using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace WaServerless.Engines.CloudApi.Tests;

/// <summary>The liveness probe: GET /{version}/{phone-number-id}?fields=health_status,quality_rating,name_status.</summary>
public sealed class HealthCheckTests
{
    private const string HealthPath = $"/{MockGraphApi.Version}/{MockGraphApi.PhoneNumberId}";

    [Theory]
    [InlineData("available.json", CloudApiMessagingStatus.Available, true, "GREEN", "APPROVED", null)]
    [InlineData("limited.json", CloudApiMessagingStatus.Limited, true, "YELLOW", "APPROVED", "BUSINESS LIMITED (141006): The business has not completed business verification.")]
    [InlineData("blocked.json", CloudApiMessagingStatus.Blocked, false, "UNKNOWN", "DECLINED", "PHONE_NUMBER BLOCKED (141010): The phone number's display name has not been approved.")]
    public async Task Health_answers_are_read(string fixture, CloudApiMessagingStatus messaging, bool canSend, string quality, string nameStatus, string? problem)
    {
        using var api = new MockGraphApi();
        api.Server
            .Given(Request.Create().WithPath(HealthPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(MockGraphApi.Fixture("health", fixture)));

        var health = await api.HealthCheck.CheckAsync(CancellationToken.None);

        Assert.Equal(new CloudApiHealth(api.Time.GetUtcNow(), messaging, quality, nameStatus, problem), health);
        Assert.Equal(canSend, health.CanSend);
    }

    [Fact]
    public async Task The_probe_asks_for_the_three_fields_with_the_bearer_token()
    {
        using var api = new MockGraphApi();
        api.Server
            .Given(Request.Create().WithPath(HealthPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody(MockGraphApi.Fixture("health", "available.json")));

        await api.HealthCheck.CheckAsync(CancellationToken.None);

        var request = api.SingleRequest().RequestMessage;
        Assert.Equal("GET", request.Method);
        Assert.Equal(HealthPath, request.Path);
        // WireMock splits the comma-separated list; the request carried fields=health_status,quality_rating,name_status.
        Assert.Equal(["health_status", "quality_rating", "name_status"], request.Query!["fields"]);
        Assert.Equal($"Bearer {MockGraphApi.AccessToken}", Assert.Single(request.Headers!["Authorization"]));
    }

    [Fact]
    public async Task An_expired_token_is_an_unknown_verdict_with_metas_reason()
    {
        using var api = new MockGraphApi();
        api.Server
            .Given(Request.Create().WithPath(HealthPath).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithBody(MockGraphApi.Fixture("errors", "190-token-expired.json")));

        var health = await api.HealthCheck.CheckAsync(CancellationToken.None);

        Assert.False(health.CanSend);
        Assert.Equal(CloudApiMessagingStatus.Unknown, health.Messaging);
        Assert.Equal("190: Error validating access token: Session has expired on Sunday, 01-Mar-26 04:00:00 PST.", health.Problem);
    }

    [Fact]
    public async Task An_unreachable_api_is_an_unknown_verdict()
    {
        using var api = new MockGraphApi(baseUrl: new Uri($"http://127.0.0.1:{MockGraphApi.FreePort()}"));

        var health = await api.HealthCheck.CheckAsync(CancellationToken.None);

        Assert.Equal(CloudApiMessagingStatus.Unknown, health.Messaging);
        Assert.Equal("network: ConnectionError", health.Problem);
    }

    [Fact]
    public void An_answer_without_health_status_is_unknown()
    {
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

        var health = CloudApiHealthCheck.Parse("""{"quality_rating":"GREEN","id":"1"}""", at);

        Assert.Equal(new CloudApiHealth(at, CloudApiMessagingStatus.Unknown, "GREEN", null, "no health_status in the answer"), health);
    }
}
