using System.Net;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace WaServerless.Engines.CloudApi.Tests;

/// <summary>
/// Meta's error responses (Fixtures/errors, in the documented {"error": {...}} shape) and transport
/// failures, as the engine classifies them: never thrown, always Transient or Permanent with a reason.
/// </summary>
public sealed class ErrorMappingTests
{
    [Theory]
    // Refusals that no retry can fix.
    [InlineData("100-invalid-parameter.json", 400, FailureKind.Permanent, "100: Invalid parameter - The value of parameter to is not a valid phone number.")]
    [InlineData("131026-message-undeliverable.json", 400, FailureKind.Permanent, "131026: Message Undeliverable.")]
    [InlineData("131047-reengagement-window.json", 400, FailureKind.Permanent, "131047: Re-engagement message - More than 24 hours have passed since the recipient last replied to this number.")]
    [InlineData("131051-unsupported-type.json", 400, FailureKind.Permanent, "131051: Unsupported message type - This message type is not supported.")]
    [InlineData("131052-media-download.json", 400, FailureKind.Permanent, "131052: Media download error - WhatsApp could not download the media from the link that was given.")]
    [InlineData("131053-media-upload.json", 400, FailureKind.Permanent, "131053: Media upload error - The media in the message could not be uploaded.")]
    [InlineData("132001-template-missing.json", 400, FailureKind.Permanent, "132001: Template name does not exist in the translation - Template login_code does not exist in en_US.")]
    [InlineData("190-token-expired.json", 401, FailureKind.Permanent, "190: Error validating access token: Session has expired on Sunday, 01-Mar-26 04:00:00 PST.")]
    [InlineData("10-permission-denied.json", 403, FailureKind.Permanent, "10: Application does not have permission for this action - The app lacks whatsapp_business_messaging for this phone number.")]
    [InlineData("200-permission.json", 403, FailureKind.Permanent, "200: Permissions error")]
    // Throttling: decided by the code, whatever the HTTP status.
    [InlineData("4-too-many-calls.json", 400, FailureKind.Transient, "4: Application request limit reached - The app has reached its API call rate limit.")]
    [InlineData("80007-waba-rate-limit.json", 400, FailureKind.Transient, "80007: Rate limit issues - The WhatsApp Business Account has reached its rate limit.")]
    [InlineData("130429-throughput.json", 400, FailureKind.Transient, "130429: Rate limit hit - Too many messages were sent from this phone number in a short period of time.")]
    [InlineData("131048-spam-rate-limit.json", 400, FailureKind.Transient, "131048: Spam rate limit hit - Too many previous messages from this phone number were blocked or flagged as spam.")]
    [InlineData("131056-pair-rate-limit.json", 400, FailureKind.Transient, "131056: (Business Account, Consumer Account) pair rate limit hit - Too many messages were sent from this phone number to the same recipient in a short period of time.")]
    [InlineData("130429-throughput.json", 429, FailureKind.Transient, "130429: Rate limit hit - Too many messages were sent from this phone number in a short period of time.")]
    // Meta's side is down or failed: by the code, and by the status.
    [InlineData("131000-something-went-wrong.json", 500, FailureKind.Transient, "131000: Something went wrong")]
    [InlineData("131000-something-went-wrong.json", 400, FailureKind.Transient, "131000: Something went wrong")]
    [InlineData("2-service-unavailable.json", 503, FailureKind.Transient, "2: Service temporarily unavailable")]
    [InlineData("2-service-unavailable.json", 400, FailureKind.Transient, "2: Service temporarily unavailable")]
    // A permanent code that arrives with a server error is still retried: the 5xx says Meta's side failed.
    [InlineData("100-invalid-parameter.json", 500, FailureKind.Transient, "100: Invalid parameter - The value of parameter to is not a valid phone number.")]
    public async Task Meta_error_responses_are_classified(string fixture, int status, FailureKind kind, string reason)
    {
        using var api = new MockGraphApi();
        Respond(api, Response.Create()
            .WithStatusCode(status)
            .WithHeader("Content-Type", "application/json")
            .WithBody(MockGraphApi.Fixture("errors", fixture)));

        var result = await Send(api);

        Assert.Equal(new EngineSendResult(null, kind, reason), result);
    }

    [Fact]
    public async Task Retry_after_from_meta_is_carried_in_the_reason()
    {
        using var api = new MockGraphApi();
        Respond(api, Response.Create()
            .WithStatusCode(429)
            .WithHeader("Content-Type", "application/json")
            .WithHeader("Retry-After", "30")
            .WithBody(MockGraphApi.Fixture("errors", "130429-throughput.json")));

        var result = await Send(api);

        Assert.Equal(FailureKind.Transient, result.Failure);
        Assert.Equal("130429: Rate limit hit - Too many messages were sent from this phone number in a short period of time. (retry after 30 s)", result.Reason);
    }

    [Fact]
    public async Task Retry_after_as_a_date_counts_from_the_clock()
    {
        using var api = new MockGraphApi();
        var at = api.Time.GetUtcNow().AddSeconds(90);
        Respond(api, Response.Create().WithStatusCode(429).WithHeader("Retry-After", at.ToString("R")));

        var result = await Send(api);

        Assert.Equal(EngineSendResult.Transient("HTTP 429 (retry after 90 s)"), result);
    }

    [Theory]
    [InlineData(429, FailureKind.Transient)]
    [InlineData(500, FailureKind.Transient)]
    [InlineData(502, FailureKind.Transient)]
    [InlineData(503, FailureKind.Transient)]
    [InlineData(404, FailureKind.Permanent)]
    public async Task Statuses_without_a_graph_error_body_are_classified_by_status(int status, FailureKind kind)
    {
        using var api = new MockGraphApi();
        Respond(api, Response.Create().WithStatusCode(status).WithHeader("Content-Type", "text/html").WithBody("<html><body>Bad gateway</body></html>"));

        var result = await Send(api);

        Assert.Equal(new EngineSendResult(null, kind, $"HTTP {status}"), result);
    }

    [Fact]
    public async Task A_response_slower_than_the_request_timeout_is_transient()
    {
        using var api = new MockGraphApi(requestTimeout: TimeSpan.FromSeconds(1));
        Respond(api, Response.Create()
            .WithStatusCode(200)
            .WithBody(MockGraphApi.Fixture("responses", "message-accepted.json"))
            .WithDelay(TimeSpan.FromSeconds(3)));

        var result = await Send(api);

        Assert.Equal(EngineSendResult.Transient("timeout: no answer from the Cloud API within 1 s"), result);
    }

    [Fact]
    public async Task A_refused_connection_is_transient()
    {
        // Nothing listens on this loopback port: the connection is refused.
        using var api = new MockGraphApi(baseUrl: new Uri($"http://127.0.0.1:{MockGraphApi.FreePort()}"));

        var result = await Send(api);

        Assert.Equal(FailureKind.Transient, result.Failure);
        Assert.StartsWith("network: ConnectionError", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Success_without_a_message_id_is_transient()
    {
        using var api = new MockGraphApi();
        Respond(api, Response.Create().WithStatusCode(200).WithBody("""{"messaging_product":"whatsapp","messages":[]}"""));

        var result = await Send(api);

        Assert.Equal(EngineSendResult.Transient("accepted without a message id in the response"), result);
    }

    [Fact]
    public void Long_reasons_are_cut_to_the_stored_length()
    {
        var details = new string('x', 2000);
        var body = $$"""{"error":{"message":"(#100) Invalid parameter","code":100,"error_data":{"details":"{{details}}"} } }""";

        var result = CloudApiErrorClassifier.Classify(HttpStatusCode.BadRequest, body, null);

        Assert.Equal(CloudApiErrorClassifier.ReasonMaxLength, result.Reason!.Length);
        Assert.EndsWith("...", result.Reason, StringComparison.Ordinal);
    }

    private static void Respond(MockGraphApi api, IResponseBuilder response) =>
        api.Server.Given(Request.Create().WithPath(MockGraphApi.MessagesPath).UsingPost()).RespondWith(response);

    private static Task<EngineSendResult> Send(MockGraphApi api) =>
        api.Engine.SendAsync(new EngineSendRequest(MockGraphApi.PhoneNumberId, "msg_1", "+4915112345678", new TextContent("hello")), CancellationToken.None);
}
