using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Compat.V1;

namespace WaServerless.Functions.Http;

/// <summary>The generic sessions + messages API's drop-in surface: thin wrappers over V1Handler.</summary>
public sealed class V1Functions(V1Handler v1)
{
    [Function(nameof(V1CreateSession))]
    public Task<IActionResult> V1CreateSession([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/sessions")] HttpRequest request) =>
        v1.CreateSessionAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(V1ListSessions))]
    public Task<IActionResult> V1ListSessions([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/sessions")] HttpRequest request) =>
        v1.ListSessionsAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(V1GetSession))]
    public Task<IActionResult> V1GetSession([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/sessions/{id}")] HttpRequest request, string id) =>
        v1.GetSessionAsync(request, id, request.HttpContext.RequestAborted);

    [Function(nameof(V1UpdateSession))]
    public Task<IActionResult> V1UpdateSession([HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "api/v1/sessions/{id}")] HttpRequest request, string id) =>
        v1.UpdateSessionAsync(request, id, request.HttpContext.RequestAborted);

    [Function(nameof(V1DeleteSession))]
    public Task<IActionResult> V1DeleteSession([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/sessions/{id}")] HttpRequest request, string id) =>
        v1.DeleteSessionAsync(request, id, request.HttpContext.RequestAborted);

    [Function(nameof(V1SessionStream))]
    public Task<IActionResult> V1SessionStream([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/sessions/{id}/stream")] HttpRequest request, string id) =>
        v1.StreamAsync(request, id, request.HttpContext.RequestAborted);

    [Function(nameof(V1SendText))]
    public Task<IActionResult> V1SendText([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/messages")] HttpRequest request) =>
        v1.SendTextAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(V1SendMedia))]
    public Task<IActionResult> V1SendMedia([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/messages/media")] HttpRequest request) =>
        v1.SendMediaAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(V1SendAudio))]
    public Task<IActionResult> V1SendAudio([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/messages/audio")] HttpRequest request) =>
        v1.SendAudioAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(V1ListMessages))]
    public Task<IActionResult> V1ListMessages([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/messages")] HttpRequest request) =>
        v1.ListMessagesAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(V1GetMessage))]
    public Task<IActionResult> V1GetMessage([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/messages/{id}")] HttpRequest request, string id) =>
        v1.GetMessageAsync(request, id, request.HttpContext.RequestAborted);

    [Function(nameof(V1CreateKey))]
    public Task<IActionResult> V1CreateKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/v1/keys")] HttpRequest request) =>
        v1.CreateKeyAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(V1ListKeys))]
    public Task<IActionResult> V1ListKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/v1/keys")] HttpRequest request) =>
        v1.ListKeysAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(V1RevokeKey))]
    public Task<IActionResult> V1RevokeKey([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/v1/keys/{id}")] HttpRequest request, string id) =>
        v1.RevokeKeyAsync(request, id, request.HttpContext.RequestAborted);
}
