using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Auth;
using WaServerless.Api.Compat.SmsMobileApi;

namespace WaServerless.Functions.Http;

/// <summary>SMSMobileAPI's drop-in surface: thin wrappers over SmsMobileApiHandler (and the OAuth2 token endpoint under its path).</summary>
public sealed class SmsMobileApiFunctions(SmsMobileApiHandler surface, OAuthHandler oauth)
{
    [Function(nameof(SmsMobileApiSend))]
    public Task<IActionResult> SmsMobileApiSend([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/smsmobileapi/sendsms")] HttpRequest request) =>
        surface.SendAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsMobileApiResend))]
    public Task<IActionResult> SmsMobileApiResend([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "api/smsmobileapi/resendwa")] HttpRequest request) =>
        surface.ResendAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsMobileApiSynchronise))]
    public IActionResult SmsMobileApiSynchronise([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smsmobileapi/getwa/synchronisation")] HttpRequest request) =>
        surface.Synchronise(request);

    [Function(nameof(SmsMobileApiInbound))]
    public Task<IActionResult> SmsMobileApiInbound([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smsmobileapi/getwa")] HttpRequest request) =>
        surface.InboundAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsMobileApiToken))]
    public Task<IActionResult> SmsMobileApiToken([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smsmobileapi/oauth2/token")] HttpRequest request) =>
        oauth.TokenAsync(request, request.HttpContext.RequestAborted);
}
