using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Http;

/// <summary>
/// Every request's deadline (Api:RequestDeadline), one implementation for both hosts: the devhost
/// runs it as an endpoint filter of the API's routes, the Functions app as worker middleware. It
/// replaces the request's RequestAborted with a token that is also cancelled when the deadline
/// passes before the answer has started, and answers such a request 503 SERVICE_UNAVAILABLE with
/// Retry-After. Handlers pass RequestAborted to storage, so work stops where it is; the accept path
/// finishes what follows its commit without the token (see SendHandler), so a send either was
/// accepted (its idempotency key replays the 202) or did not happen.
/// </summary>
public sealed partial class RequestDeadline(IOptions<ApiOptions> options, ILogger<RequestDeadline> logger)
{
    public const int RetryAfterSeconds = 5;

    /// <summary>Runs <paramref name="next"/> under the deadline; true when the deadline cut it short and the answer is still ours to give.</summary>
    public async Task<bool> RunAsync(HttpContext context, Func<Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var original = context.RequestAborted;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(original);
        var expired = false;
        using var timer = new CancellationTokenSource(options.Value.RequestDeadline);
        using var registration = timer.Token.Register(() =>
        {
            // A stream whose answer has started is not cut; anything else is.
            if (!context.Response.HasStarted)
            {
                expired = true;
                cancel.Cancel();
            }
        });
        context.RequestAborted = cancel.Token;
        try
        {
            await next();
            return false;
        }
        catch (OperationCanceledException) when (expired && !original.IsCancellationRequested && !context.Response.HasStarted)
        {
            LogDeadlinePassed(logger, context.Request.Method, context.Request.Path.Value ?? "", options.Value.RequestDeadline);
            return true;
        }
        finally
        {
            context.RequestAborted = original;
        }
    }

    /// <summary>The answer to a request that ran out of time.</summary>
    public IActionResult Timeout() => ApiResults.Error(
        new ApiError(503, ErrorCodes.ServiceUnavailable, $"The request did not finish within {options.Value.RequestDeadline.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; nothing was accepted unless a retry with the same idempotency_key says so. Try again."),
        new Dictionary<string, string> { ["Retry-After"] = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture) });

    /// <summary>The devhost's form: an endpoint filter of the API's route group.</summary>
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(next);
        var http = invocation.HttpContext;
        var deadline = http.RequestServices.GetService(typeof(RequestDeadline)) as RequestDeadline ?? throw new InvalidOperationException("AddWaServerlessApi registers RequestDeadline.");
        object? result = null;
        if (await deadline.RunAsync(http, async () => result = await next(invocation)))
        {
            await deadline.Timeout().ExecuteResultAsync(new ActionContext(http, http.GetRouteData(), new ActionDescriptor()));
            return Results.Empty; // written already: nothing more for the endpoint to write
        }

        return result;
    }

    [LoggerMessage(LogLevel.Warning, "{Method} {Path} passed its deadline of {Deadline} and was answered 503")]
    private static partial void LogDeadlinePassed(ILogger logger, string method, string path, TimeSpan deadline);
}
