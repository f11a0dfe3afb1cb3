using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Inbound;
using WaServerless.Api.Messages;
using Microsoft.DurableTask.Client;
using WaServerless.Api.OpenApi;
using WaServerless.Workflows;
using WaServerless.Api.Sending;

namespace WaServerless.Functions.Http;

/// <summary>Thin wrappers: the handlers in WaServerless.Api do the work; routes match ApiEndpoints.Routes.</summary>
public sealed class SendFunctions(SendHandler send, MessagesHandler messages, InboundHandler inbound, OpenApiHandler openApi)
{
    [Function(nameof(Send))]
    public Task<IActionResult> Send(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/send")] HttpRequest request) => send.HandleAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(ListMessages))]
    public Task<IActionResult> ListMessages(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/messages")] HttpRequest request) => messages.ListAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(GetMessage))]
    public Task<IActionResult> GetMessage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/messages/{queueId}")] HttpRequest request,
        string queueId) => messages.GetAsync(request, queueId, request.HttpContext.RequestAborted);

    [Function(nameof(CancelMessage))]
    public Task<IActionResult> CancelMessage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/messages/{queueId}/cancel")] HttpRequest request,
        string queueId,
        [DurableClient] DurableTaskClient durable) => messages.CancelAsync(request, queueId, new DurableWorkflowClient(durable), request.HttpContext.RequestAborted);

    [Function(nameof(ResendMessage))]
    public Task<IActionResult> ResendMessage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/messages/{queueId}/resend")] HttpRequest request,
        string queueId) => messages.ResendAsync(request, queueId, request.HttpContext.RequestAborted);

    [Function(nameof(ListInbound))]
    public Task<IActionResult> ListInbound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/inbound")] HttpRequest request) => inbound.ListAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(GetInbound))]
    public Task<IActionResult> GetInbound(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/inbound/{messageId}")] HttpRequest request,
        string messageId) => inbound.GetAsync(request, messageId, request.HttpContext.RequestAborted);

    [Function(nameof(OpenApiDocument))]
    public Task<IActionResult> OpenApiDocument(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/openapi.json")] HttpRequest request) => openApi.GetAsync(request);
}
