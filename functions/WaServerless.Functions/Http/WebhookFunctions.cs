using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Webhooks;

namespace WaServerless.Functions.Http;

/// <summary>The webhooks API: thin wrappers over WebhooksHandler.</summary>
public sealed class WebhookFunctions(WebhooksHandler webhooks)
{
    [Function(nameof(CreateWebhook))]
    public Task<IActionResult> CreateWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/webhooks")] HttpRequest request) =>
        webhooks.CreateAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(ListWebhooks))]
    public Task<IActionResult> ListWebhooks([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/webhooks")] HttpRequest request) =>
        webhooks.ListAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(GetWebhook))]
    public Task<IActionResult> GetWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/webhooks/{webhookId}")] HttpRequest request, string webhookId) =>
        webhooks.GetAsync(request, webhookId, request.HttpContext.RequestAborted);

    [Function(nameof(UpdateWebhook))]
    public Task<IActionResult> UpdateWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/webhooks/{webhookId}")] HttpRequest request, string webhookId) =>
        webhooks.UpdateAsync(request, webhookId, request.HttpContext.RequestAborted);

    [Function(nameof(DeleteWebhook))]
    public Task<IActionResult> DeleteWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/webhooks/{webhookId}")] HttpRequest request, string webhookId) =>
        webhooks.DeleteAsync(request, webhookId, request.HttpContext.RequestAborted);

    [Function(nameof(RotateWebhookSecret))]
    public Task<IActionResult> RotateWebhookSecret([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/webhooks/{webhookId}/rotate-secret")] HttpRequest request, string webhookId) =>
        webhooks.RotateSecretAsync(request, webhookId, request.HttpContext.RequestAborted);

    [Function(nameof(TestWebhook))]
    public Task<IActionResult> TestWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/webhooks/{webhookId}/test")] HttpRequest request, string webhookId) =>
        webhooks.TestAsync(request, webhookId, request.HttpContext.RequestAborted);
}
