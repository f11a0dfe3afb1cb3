using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Webhooks;

namespace WaServerless.Functions.Http;

/// <summary>The webhooks API: thin wrappers over WebhooksHandler.</summary>
public sealed class WebhookFunctions(WebhooksHandler webhooks)
{
    [Function(nameof(CreateWebhook))]
    public Task<IActionResult> CreateWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks")] HttpRequest request, CancellationToken cancellationToken) =>
        webhooks.CreateAsync(request, cancellationToken);

    [Function(nameof(ListWebhooks))]
    public Task<IActionResult> ListWebhooks([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "webhooks")] HttpRequest request, CancellationToken cancellationToken) =>
        webhooks.ListAsync(request, cancellationToken);

    [Function(nameof(GetWebhook))]
    public Task<IActionResult> GetWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "webhooks/{webhookId}")] HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        webhooks.GetAsync(request, webhookId, cancellationToken);

    [Function(nameof(UpdateWebhook))]
    public Task<IActionResult> UpdateWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "webhooks/{webhookId}")] HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        webhooks.UpdateAsync(request, webhookId, cancellationToken);

    [Function(nameof(DeleteWebhook))]
    public Task<IActionResult> DeleteWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "webhooks/{webhookId}")] HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        webhooks.DeleteAsync(request, webhookId, cancellationToken);

    [Function(nameof(RotateWebhookSecret))]
    public Task<IActionResult> RotateWebhookSecret([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/{webhookId}/rotate-secret")] HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        webhooks.RotateSecretAsync(request, webhookId, cancellationToken);

    [Function(nameof(TestWebhook))]
    public Task<IActionResult> TestWebhook([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "webhooks/{webhookId}/test")] HttpRequest request, string webhookId, CancellationToken cancellationToken) =>
        webhooks.TestAsync(request, webhookId, cancellationToken);
}
