using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Sessions;

namespace WaServerless.Functions.Http;

/// <summary>The sessions API: thin wrappers over SessionsHandler.</summary>
public sealed class SessionFunctions(SessionsHandler sessions)
{
    [Function(nameof(CreateSession))]
    public Task<IActionResult> CreateSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sessions")] HttpRequest request, CancellationToken cancellationToken) =>
        sessions.CreateAsync(request, cancellationToken);

    [Function(nameof(ListSessions))]
    public Task<IActionResult> ListSessions([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions")] HttpRequest request, CancellationToken cancellationToken) =>
        sessions.ListAsync(request, cancellationToken);

    [Function(nameof(GetSession))]
    public Task<IActionResult> GetSession([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions/{sessionId}")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        sessions.GetAsync(request, sessionId, cancellationToken);

    [Function(nameof(GetSessionQr))]
    public Task<IActionResult> GetSessionQr([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions/{sessionId}/qr")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        sessions.QrAsync(request, sessionId, cancellationToken);

    [Function(nameof(RequestPairCode))]
    public Task<IActionResult> RequestPairCode([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sessions/{sessionId}/pair-code")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        sessions.PairCodeAsync(request, sessionId, cancellationToken);

    [Function(nameof(ReconnectSession))]
    public Task<IActionResult> ReconnectSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sessions/{sessionId}/reconnect")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        sessions.ReconnectAsync(request, sessionId, cancellationToken);

    [Function(nameof(LogoutSession))]
    public Task<IActionResult> LogoutSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "sessions/{sessionId}/logout")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        sessions.LogoutAsync(request, sessionId, cancellationToken);

    [Function(nameof(DeleteSession))]
    public Task<IActionResult> DeleteSession([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "sessions/{sessionId}")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        sessions.DeleteAsync(request, sessionId, cancellationToken);

    [Function(nameof(SessionEvents))]
    public Task<IActionResult> SessionEvents([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "sessions/{sessionId}/events")] HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        sessions.EventsAsync(request, sessionId, cancellationToken);
}
