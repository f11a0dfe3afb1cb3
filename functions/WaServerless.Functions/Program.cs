using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using WaServerless.Api;
using WaServerless.Queues;
using WaServerless.Storage;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Configuration.AddWaServerlessPlans();
builder.Services.AddWaServerlessStorage().AddWaServerlessQueues().AddWaServerlessApi();
builder.Build().Run();
