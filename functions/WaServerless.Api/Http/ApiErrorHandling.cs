using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Http;

/// <summary>
/// The one place exceptions become responses, run by both hosts around every API request (the
/// devhost's endpoint filter, the Functions app's worker middleware): refusals as they are, storage
/// outages as 503, the rest as a logged 500.
/// </summary>
public static partial class ApiErrorHandling
{
    /// <summary>
    /// The answer to an exception a handler let out: its refusal as it is, a storage outage as 503, the
    /// rest as a logged 500; null for the request's own cancellation (a hang-up, or its deadline,
    /// which <see cref="RequestDeadline"/> answers), which stays thrown.
    /// </summary>
    public static IActionResult? ToResult(ILogger logger, string operation, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case System.Reflection.TargetInvocationException { InnerException: { } inner }:
                return ToResult(logger, operation, inner);
            case ApiErrorException e:
                return ApiResults.Error(e.Error, e.Error.Status == 401 ? new Dictionary<string, string> { ["WWW-Authenticate"] = Challenge(e.Error) } : null);
            case OperationCanceledException when !IsStorageTimeout(exception):
                return null;
            case RequestFailedException e when e.Status is 0 or 429 or >= 500:
                LogStorageUnavailable(logger, e, operation, e.Status);
                return ApiResults.Error(new ApiError(503, ErrorCodes.ServiceUnavailable, "Storage is unavailable; nothing was accepted. Try again."), new Dictionary<string, string> { ["Retry-After"] = "5" });
            case var e when IsStorageTimeout(e):
                // Every try of a storage call timed out (the SDK gathers them in an AggregateException).
                LogStorageTimedOut(logger, e, operation);
                return ApiResults.Error(
                    new ApiError(503, ErrorCodes.ServiceUnavailable, "Storage did not answer in time. Try again; a send retried with the same idempotency_key is never sent twice."),
                    new Dictionary<string, string> { ["Retry-After"] = "5" });
            default:
                LogUnhandled(logger, exception, operation);
                return ApiResults.Error(new ApiError(500, ErrorCodes.InternalError, "Something went wrong on our side. Retrying with the same idempotency_key is safe."));
        }
    }

    /// <summary>RFC 6750's challenge: a bad or expired access token says invalid_token, as OAuth2 clients expect, to ask for a new one.</summary>
    private static string Challenge(ApiError error) =>
        error.Code is ErrorCodes.InvalidToken or ErrorCodes.TokenExpired
            ? $"Bearer error=\"invalid_token\", error_description=\"{error.Message}\""
            : "Bearer";

    /// <summary>
    /// The devhost's form: an endpoint filter of the API's route group (inside the deadline's), so the
    /// handlers just throw. The Functions app runs the same <see cref="ToResult"/> in a worker middleware.
    /// </summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(invocation);
        }
        catch (Exception e) when (!invocation.HttpContext.Response.HasStarted && ToResult(invocation.HttpContext, e) is { } result)
        {
            var http = invocation.HttpContext;
            await result.ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
            return Results.Empty; // written already
        }
    }

    /// <summary>The answer to an exception of this request, in the shape of the surface its route belongs to (see <see cref="Compat.CompatSurfaces"/>).</summary>
    public static IActionResult? ToResult(HttpContext http, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(http);
        return ToResult(LoggerOf(http), OperationOf(http), exception) is { } result ? Compat.CompatSurfaces.Reshape(http.Request.Path, result) : null;
    }

    /// <summary>"POST /api/send": what the logs call the request that failed.</summary>
    public static string OperationOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.Method + " " + (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route } ? route : context.Request.Path.Value);
    }

    private static ILogger LoggerOf(HttpContext context) =>
        (context.RequestServices.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger(typeof(ApiErrorHandling)) ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

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
