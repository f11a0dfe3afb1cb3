using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Compat.SmsGlobal;

namespace WaServerless.Functions.Http;

/// <summary>SMSGlobal's WhatsApp drop-in surface: thin wrappers over SmsGlobalHandler.</summary>
public sealed class SmsGlobalFunctions(SmsGlobalHandler smsGlobal)
{
    [Function(nameof(SmsGlobalCreateKey))]
    public Task<IActionResult> SmsGlobalCreateKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smsglobal/keys")] HttpRequest request) =>
        smsGlobal.CreateKeyAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalListKeys))]
    public Task<IActionResult> SmsGlobalListKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smsglobal/keys")] HttpRequest request) =>
        smsGlobal.ListKeysAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalRevokeKey))]
    public Task<IActionResult> SmsGlobalRevokeKey([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/smsglobal/keys/{id}")] HttpRequest request, string id) =>
        smsGlobal.RevokeKeyAsync(request, id, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalSend))]
    public Task<IActionResult> SmsGlobalSend([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smsglobal/v2/whatsapp")] HttpRequest request) =>
        smsGlobal.SendAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalListOutgoing))]
    public Task<IActionResult> SmsGlobalListOutgoing([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smsglobal/v2/whatsapp")] HttpRequest request) =>
        smsGlobal.ListOutgoingAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalGetOutgoing))]
    public Task<IActionResult> SmsGlobalGetOutgoing([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smsglobal/v2/whatsapp/{id}")] HttpRequest request, string id) =>
        smsGlobal.GetOutgoingAsync(request, id, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalListIncoming))]
    public Task<IActionResult> SmsGlobalListIncoming([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smsglobal/v2/whatsapp-incoming")] HttpRequest request) =>
        smsGlobal.ListIncomingAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalGetIncoming))]
    public Task<IActionResult> SmsGlobalGetIncoming([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smsglobal/v2/whatsapp-incoming/{id}")] HttpRequest request, string id) =>
        smsGlobal.GetIncomingAsync(request, id, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalCapability))]
    public Task<IActionResult> SmsGlobalCapability([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smsglobal/v2/whatsapp/capability")] HttpRequest request) =>
        smsGlobal.CapabilityAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalListOptIn))]
    public Task<IActionResult> SmsGlobalListOptIn([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/smsglobal/v2/whatsapp/opt-in")] HttpRequest request) =>
        smsGlobal.ListOptInAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SmsGlobalOptIn))]
    public Task<IActionResult> SmsGlobalOptIn([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/smsglobal/v2/whatsapp/opt-in")] HttpRequest request) =>
        smsGlobal.OptInAsync(request, request.HttpContext.RequestAborted);
}
