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
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (RequestFailedException e) when (e.Status is 0 or 429 or >= 500)
        {
            LogStorageUnavailable(logger, e, operation, e.Status);
            return ApiResults.Error(new ApiError(503, ErrorCodes.ServiceUnavailable, "Storage is unavailable; nothing was accepted. Try again."), new Dictionary<string, string> { ["Retry-After"] = "5" });
        }
        catch (Exception e)
        {
            LogUnhandled(logger, e, operation);
            return ApiResults.Error(new ApiError(500, ErrorCodes.InternalError, "Something went wrong on our side. Retrying with the same idempotency_key is safe."));
        }
    }

    [LoggerMessage(LogLevel.Warning, "{Operation}: storage unavailable (status {Status})")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception, string operation, int status);

    [LoggerMessage(LogLevel.Error, "{Operation} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string operation);
}
