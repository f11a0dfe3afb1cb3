using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using WaServerless.Api.Bulk;
using WaServerless.Workflows;

namespace WaServerless.Functions.Http;

/// <summary>The bulk API: thin wrappers over BulkHandler; the Durable client starts and steers the campaign orchestrations.</summary>
public sealed class BulkFunctions(BulkHandler bulk)
{
    [Function(nameof(CreateCampaign))]
    public Task<IActionResult> CreateCampaign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/bulk")] HttpRequest request,
        [DurableClient] DurableTaskClient client) => bulk.CreateAsync(request, new DurableWorkflowClient(client), request.HttpContext.RequestAborted);

    [Function(nameof(ListCampaigns))]
    public Task<IActionResult> ListCampaigns(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/bulk")] HttpRequest request) => bulk.ListAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(GetCampaign))]
    public Task<IActionResult> GetCampaign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/bulk/{campaignId}")] HttpRequest request,
        string campaignId) => bulk.GetAsync(request, campaignId, request.HttpContext.RequestAborted);

    [Function(nameof(PauseCampaign))]
    public Task<IActionResult> PauseCampaign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/bulk/{campaignId}/pause")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string campaignId) => bulk.PauseAsync(request, campaignId, new DurableWorkflowClient(client), request.HttpContext.RequestAborted);

    [Function(nameof(ResumeCampaign))]
    public Task<IActionResult> ResumeCampaign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/bulk/{campaignId}/resume")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string campaignId) => bulk.ResumeAsync(request, campaignId, new DurableWorkflowClient(client), request.HttpContext.RequestAborted);

    [Function(nameof(CancelCampaign))]
    public Task<IActionResult> CancelCampaign(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/bulk/{campaignId}/cancel")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string campaignId) => bulk.CancelAsync(request, campaignId, new DurableWorkflowClient(client), request.HttpContext.RequestAborted);
}
