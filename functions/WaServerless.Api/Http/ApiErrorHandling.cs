using Azure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Http;

/// <summary>The one place exceptions become responses: refusals as they are, storage outages as 503, the rest as a logged 500.</summary>
public static partial class ApiErrorHandling
{
    public static async Task<IActionResult> RunAsync(ILogger logger, string operation, Func<Task<IActionResult>> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        try
        {
            return await handler();
        }
        catch (ApiErrorException e)
        {
            return ApiResults.Error(e.Error, e.Error.Status == 401 ? new Dictionary<string, string> { ["WWW-Authenticate"] = "Bearer" } : null);
        }
        catch (OperationCanceledException e) when (!IsStorageTimeout(e))
        {
            // The request's own token: a hang-up, or its deadline (RequestDeadline answers it).
            throw;
        }
        catch (RequestFailedException e) when (e.Status is 0 or 429 or >= 500)
        {
            LogStorageUnavailable(logger, e, operation, e.Status);
            return ApiResults.Error(new ApiError(503, ErrorCodes.ServiceUnavailable, "Storage is unavailable; nothing was accepted. Try again."), new Dictionary<string, string> { ["Retry-After"] = "5" });
        }
        catch (Exception e) when (IsStorageTimeout(e))
        {
            // Every try of a storage call timed out (the SDK gathers them in an AggregateException).
            LogStorageTimedOut(logger, e, operation);
            return ApiResults.Error(
                new ApiError(503, ErrorCodes.ServiceUnavailable, "Storage did not answer in time. Try again; a send retried with the same idempotency_key is never sent twice."),
                new Dictionary<string, string> { ["Retry-After"] = "5" });
        }
        catch (Exception e)
        {
            LogUnhandled(logger, e, operation);
            return ApiResults.Error(new ApiError(500, ErrorCodes.InternalError, "Something went wrong on our side. Retrying with the same idempotency_key is safe."));
        }
    }

    private static bool IsStorageTimeout(Exception e) => e switch
    {
        AggregateException a => a.InnerExceptions.Count > 0 && a.InnerExceptions.All(inner => inner is TaskCanceledException or HttpRequestException or RequestFailedException { Status: 0 or >= 500 } || IsStorageTimeout(inner)),
        // Azure.Core's network timeout of one try (its message is the only mark it leaves).
        TaskCanceledException t => t.InnerException is TimeoutException || t.Message.Contains("exceeded the configured timeout", StringComparison.Ordinal),
        _ => false,
    };

    [LoggerMessage(LogLevel.Warning, "{Operation}: storage did not answer in time")]
    private static partial void LogStorageTimedOut(ILogger logger, Exception exception, string operation);

    [LoggerMessage(LogLevel.Warning, "{Operation}: storage unavailable (status {Status})")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, string operation, int status);

    [LoggerMessage(LogLevel.Error, "{Operation} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string operation);
}
