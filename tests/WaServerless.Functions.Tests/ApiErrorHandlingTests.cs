using Microsoft.Extensions.Logging.Abstractions;
using WaServerless.Api.Http;

namespace WaServerless.Functions.Tests;

/// <summary>A storage call whose every try timed out is a 503 with Retry-After, never a 500; the request's own cancellation still propagates.</summary>
public sealed class ApiErrorHandlingTests
{
    private const string SdkTimeout = "The operation was cancelled because it exceeded the configured timeout of 0:00:02.5. Network timeout can be adjusted in ClientOptions.Retry.NetworkTimeout.";

    public static TheoryData<Exception> StorageTimeouts() =>
    [
        new AggregateException("Retry failed after 3 tries.", new TaskCanceledException(SdkTimeout), new TaskCanceledException(SdkTimeout), new TaskCanceledException(SdkTimeout)),
        new TaskCanceledException(SdkTimeout),
        new AggregateException(new HttpRequestException("connection refused"), new TaskCanceledException(SdkTimeout)),
    ];

    [Theory]
    [MemberData(nameof(StorageTimeouts))]
    public void A_storage_timeout_answers_503_with_Retry_After(Exception timeout)
    {
        var result = Assert.IsType<JsonApiResult>(ApiErrorHandling.ToResult(NullLogger.Instance, "send", timeout));

        Assert.Equal(503, result.Status);
        Assert.Equal("5", result.Headers!["Retry-After"]);
        Assert.Contains("SERVICE_UNAVAILABLE", System.Text.Json.JsonSerializer.Serialize(result.Body, WaServerless.Core.Contracts.WireJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_requests_own_cancellation_is_not_swallowed()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.FromCanceled(cancelled.Token));

        Assert.Null(ApiErrorHandling.ToResult(NullLogger.Instance, "send", e));
    }

    [Fact]
    public void A_refusal_is_answered_as_it_is_and_a_bug_as_a_500_without_its_details()
    {
        var refused = Assert.IsType<JsonApiResult>(ApiErrorHandling.ToResult(NullLogger.Instance, "send", new WaServerless.Core.Errors.ApiErrorException(new WaServerless.Core.Errors.ApiError(401, "INVALID_KEY", "no"))));
        var bug = Assert.IsType<JsonApiResult>(ApiErrorHandling.ToResult(NullLogger.Instance, "send", new InvalidOperationException("secret internals")));

        Assert.Equal((401, "Bearer"), (refused.Status, refused.Headers!["WWW-Authenticate"]));
        Assert.Equal(500, bug.Status);
        Assert.DoesNotContain("secret internals", System.Text.Json.JsonSerializer.Serialize(bug.Body, WaServerless.Core.Contracts.WireJson.Options), StringComparison.Ordinal);
    }
}
