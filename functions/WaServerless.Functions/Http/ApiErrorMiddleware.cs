using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using WaServerless.Api.Http;

namespace WaServerless.Functions.Http;

/// <summary>
/// What the devhost's endpoint filter does for the API, for the HTTP functions: an exception a
/// handler lets out becomes its answer through the same <see cref="ApiErrorHandling.ToResult"/>,
/// handed to the ASP.NET Core integration as the invocation's result.
/// </summary>
internal sealed class ApiErrorMiddleware : IFunctionsWorkerMiddleware
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

        try
        {
            await next(context);
        }
        catch (Exception e) when (!http.Response.HasStarted && ApiErrorHandling.ToResult(http, e) is { } result)
        {
            context.GetInvocationResult().Value = result;
        }
    }
}
