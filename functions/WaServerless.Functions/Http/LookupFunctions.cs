using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Lookups;

namespace WaServerless.Functions.Http;

/// <summary>What the API asks a session's engine (groups, number checks): thin wrappers over the lookup handlers.</summary>
public sealed class LookupFunctions(GroupsHandler groups, NumberChecksHandler numbers)
{
    [Function(nameof(ListGroups))]
    public Task<IActionResult> ListGroups([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/groups")] HttpRequest request) =>
        groups.ListAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(CheckNumber))]
    public Task<IActionResult> CheckNumber([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/contacts/check")] HttpRequest request) =>
        numbers.CheckOneAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(CheckNumbers))]
    public Task<IActionResult> CheckNumbers([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/contacts/check")] HttpRequest request) =>
        numbers.CheckManyAsync(request, request.HttpContext.RequestAborted);
}
