using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Consent;

namespace WaServerless.Functions.Http;

/// <summary>The opt-in list: thin wrappers over ConsentHandler.</summary>
public sealed class ConsentFunctions(ConsentHandler consent)
{
    [Function(nameof(ListOptIns))]
    public Task<IActionResult> ListOptIns([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/optin")] HttpRequest request) =>
        consent.ListAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(AddOptIns))]
    public Task<IActionResult> AddOptIns([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/optin")] HttpRequest request) =>
        consent.AddAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(RemoveOptIn))]
    public Task<IActionResult> RemoveOptIn([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/optin/{number}")] HttpRequest request, string number) =>
        consent.RemoveAsync(request, number, request.HttpContext.RequestAborted);
}
