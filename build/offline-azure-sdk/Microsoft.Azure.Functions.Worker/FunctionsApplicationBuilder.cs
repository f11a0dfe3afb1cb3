using System;
using System.Collections.Generic;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Azure.Functions.Worker.Builder
{
    public class FunctionsApplication
    {
        public static FunctionsApplicationBuilder CreateBuilder(string[] args)
            => throw new NotSupportedException(OfflineSurface.Message);
    }

    public class FunctionsApplicationBuilder : IHostApplicationBuilder, IFunctionsWorkerApplicationBuilder
    {
        internal FunctionsApplicationBuilder(string[]? args)
        {
            throw new NotSupportedException(OfflineSurface.Message);
        }

        public IDictionary<object, object> Properties => throw new NotSupportedException(OfflineSurface.Message);

        IConfigurationManager IHostApplicationBuilder.Configuration => Configuration;

        public ConfigurationManager Configuration => throw new NotSupportedException(OfflineSurface.Message);

        public IHostEnvironment Environment => throw new NotSupportedException(OfflineSurface.Message);

        public ILoggingBuilder Logging => throw new NotSupportedException(OfflineSurface.Message);

        public IMetricsBuilder Metrics => throw new NotSupportedException(OfflineSurface.Message);

        public IServiceCollection Services => throw new NotSupportedException(OfflineSurface.Message);

        public IHost Build() => throw new NotSupportedException(OfflineSurface.Message);

        public void ConfigureContainer<TContainerBuilder>(
            IServiceProviderFactory<TContainerBuilder> factory,
            Action<TContainerBuilder>? configure = null)
            where TContainerBuilder : notnull
            => throw new NotSupportedException(OfflineSurface.Message);

        public IFunctionsWorkerApplicationBuilder Use(Func<FunctionExecutionDelegate, FunctionExecutionDelegate> middleware)
            => throw new NotSupportedException(OfflineSurface.Message);
    }
}
