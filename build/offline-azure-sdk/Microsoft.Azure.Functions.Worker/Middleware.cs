using System;
using System.Threading.Tasks;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Azure.Functions.Worker.Middleware
{
    public delegate Task FunctionExecutionDelegate(FunctionContext context);

    public interface IFunctionsWorkerMiddleware
    {
        Task Invoke(FunctionContext context, FunctionExecutionDelegate next);
    }
}

namespace Microsoft.Azure.Functions.Worker
{
    public interface IFunctionsWorkerApplicationBuilder
    {
        IServiceCollection Services { get; }

        IFunctionsWorkerApplicationBuilder Use(Func<FunctionExecutionDelegate, FunctionExecutionDelegate> middleware);
    }
}

namespace Microsoft.Extensions.Hosting
{
    using Microsoft.Azure.Functions.Worker;

    public static class MiddlewareWorkerApplicationBuilderExtensions
    {
        public static IFunctionsWorkerApplicationBuilder UseMiddleware<T>(this IFunctionsWorkerApplicationBuilder builder)
            where T : class, IFunctionsWorkerMiddleware
            => throw new NotSupportedException(OfflineSurface.Message);

        public static IFunctionsWorkerApplicationBuilder UseMiddleware(
            this IFunctionsWorkerApplicationBuilder builder,
            Func<FunctionContext, Func<Task>, Task> middleware)
            => throw new NotSupportedException(OfflineSurface.Message);

        public static IFunctionsWorkerApplicationBuilder UseWhen<T>(
            this IFunctionsWorkerApplicationBuilder builder,
            Func<FunctionContext, bool> predicate)
            where T : class, IFunctionsWorkerMiddleware
            => throw new NotSupportedException(OfflineSurface.Message);

        public static IFunctionsWorkerApplicationBuilder UseWhen(
            this IFunctionsWorkerApplicationBuilder builder,
            Func<FunctionContext, bool> predicate,
            Func<FunctionContext, Func<Task>, Task> middleware)
            => throw new NotSupportedException(OfflineSurface.Message);
    }
}
