using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using WaServerless.Api.Auth;

namespace WaServerless.Functions.Http;

/// <summary>
/// What the devhost's CallerGate endpoint filter does, for the HTTP functions: the same
/// <see cref="CallerGate"/> checks the caller's credential before the function runs, inside
/// <see cref="ApiErrorMiddleware"/>, so a refusal is answered like any other.
/// </summary>
internal sealed class CallerGateMiddleware(CallerGate gate) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (context.GetHttpContext() is { } http)
        {
            await gate.PassAsync(http, http.RequestAborted);
        }

        await next(context);
    }
}
