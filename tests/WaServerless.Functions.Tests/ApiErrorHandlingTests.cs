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
    public async Task A_storage_timeout_answers_503_with_Retry_After(Exception timeout)
    {
        var result = Assert.IsType<JsonApiResult>(await ApiErrorHandling.RunAsync(NullLogger.Instance, "send", () => throw timeout));

        Assert.Equal(503, result.Status);
        Assert.Equal("5", result.Headers!["Retry-After"]);
        Assert.Contains("SERVICE_UNAVAILABLE", System.Text.Json.JsonSerializer.Serialize(result.Body, WaServerless.Core.Contracts.WireJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_requests_own_cancellation_is_not_swallowed()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ApiErrorHandling.RunAsync(NullLogger.Instance, "send", () => Task.FromCanceled<Microsoft.AspNetCore.Mvc.IActionResult>(cancelled.Token)));
    }
}
