using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Sessions;

namespace WaServerless.Functions.Http;

/// <summary>The sessions API: thin wrappers over SessionsHandler.</summary>
public sealed class SessionFunctions(SessionsHandler sessions)
{
    [Function(nameof(CreateSession))]
    public Task<IActionResult> CreateSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/sessions")] HttpRequest request) =>
        sessions.CreateAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(ListSessions))]
    public Task<IActionResult> ListSessions([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sessions")] HttpRequest request) =>
        sessions.ListAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(GetSession))]
    public Task<IActionResult> GetSession([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sessions/{sessionId}")] HttpRequest request, string sessionId) =>
        sessions.GetAsync(request, sessionId, request.HttpContext.RequestAborted);

    [Function(nameof(GetSessionQr))]
    public Task<IActionResult> GetSessionQr([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sessions/{sessionId}/qr")] HttpRequest request, string sessionId) =>
        sessions.QrAsync(request, sessionId, request.HttpContext.RequestAborted);

    [Function(nameof(RequestPairCode))]
    public Task<IActionResult> RequestPairCode([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/sessions/{sessionId}/pair-code")] HttpRequest request, string sessionId) =>
        sessions.PairCodeAsync(request, sessionId, request.HttpContext.RequestAborted);

    [Function(nameof(ReconnectSession))]
    public Task<IActionResult> ReconnectSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/sessions/{sessionId}/reconnect")] HttpRequest request, string sessionId) =>
        sessions.ReconnectAsync(request, sessionId, request.HttpContext.RequestAborted);

    [Function(nameof(LogoutSession))]
    public Task<IActionResult> LogoutSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/sessions/{sessionId}/logout")] HttpRequest request, string sessionId) =>
        sessions.LogoutAsync(request, sessionId, request.HttpContext.RequestAborted);

    [Function(nameof(DeleteSession))]
    public Task<IActionResult> DeleteSession([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/sessions/{sessionId}")] HttpRequest request, string sessionId) =>
        sessions.DeleteAsync(request, sessionId, request.HttpContext.RequestAborted);

    [Function(nameof(SessionEvents))]
    public Task<IActionResult> SessionEvents([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sessions/{sessionId}/events")] HttpRequest request, string sessionId) =>
        sessions.EventsAsync(request, sessionId, request.HttpContext.RequestAborted);
}
