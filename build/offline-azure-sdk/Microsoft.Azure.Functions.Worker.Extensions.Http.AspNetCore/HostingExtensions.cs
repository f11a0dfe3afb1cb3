using System;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Http.AspNetCore;

namespace Microsoft.Azure.Functions.Worker.Builder
{
    public static class FunctionsApplicationBuilderAspNetCoreExtensions
    {
        public static FunctionsApplicationBuilder ConfigureFunctionsWebApplication(this FunctionsApplicationBuilder builder)
            => throw new NotSupportedException(OfflineSurface.Message);
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class FunctionsHostBuilderExtensions
    {
        public static IHostBuilder ConfigureFunctionsWebApplication(this IHostBuilder builder)
            => throw new NotSupportedException(OfflineSurface.Message);

        public static IHostBuilder ConfigureFunctionsWebApplication(
            this IHostBuilder builder,
            Action<IFunctionsWorkerApplicationBuilder> configureWorker)
            => throw new NotSupportedException(OfflineSurface.Message);

        public static IHostBuilder ConfigureFunctionsWebApplication(
            this IHostBuilder builder,
            Action<HostBuilderContext, IFunctionsWorkerApplicationBuilder> configureWorker)
            => throw new NotSupportedException(OfflineSurface.Message);
    }
}
