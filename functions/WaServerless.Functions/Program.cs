using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using WaServerless.Api;
using WaServerless.Functions.Http;
using WaServerless.OutboundWebhooks;
using WaServerless.Queues;
using WaServerless.Storage;
using WaServerless.Telemetry;
using WaServerless.Workflows;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<RequestDeadlineMiddleware>();
builder.UseMiddleware<ApiErrorMiddleware>(); // inside the deadline, as in the devhost
builder.UseMiddleware<CallerGateMiddleware>(); // inside the error handling, as in the devhost
builder.Configuration.AddWaServerlessPlans();
builder.Services.AddWaServerlessStorage().AddWaServerlessQueues().AddWaServerlessApi().AddWaServerlessWorkflows().AddWaServerlessOutboundWebhooks()
    .AddWaServerlessTelemetry(builder.Configuration, "waserverless-api");
builder.Build().Run();
