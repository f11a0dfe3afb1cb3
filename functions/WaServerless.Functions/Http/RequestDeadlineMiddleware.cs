using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using WaServerless.Api.Http;

namespace WaServerless.Functions.Http;

/// <summary>
/// Api:RequestDeadline for the HTTP functions, as the devhost's endpoint filter applies it: the same
/// <see cref="RequestDeadline"/>, on the worker's HttpContext. The wrappers pass the request's
/// RequestAborted to the handlers, which this replaces for the call.
/// </summary>
internal sealed class RequestDeadlineMiddleware(RequestDeadline deadline) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        if (await deadline.RunAsync(http, () => next(context)))
        {
            context.GetInvocationResult().Value = deadline.Timeout();
        }
    }
}
