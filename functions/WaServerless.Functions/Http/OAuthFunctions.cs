using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Auth;

namespace WaServerless.Functions.Http;

/// <summary>OAuth2 client credentials: thin wrappers over OAuthHandler.</summary>
public sealed class OAuthFunctions(OAuthHandler oauth)
{
    [Function(nameof(IssueToken))]
    public Task<IActionResult> IssueToken([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/oauth2/token")] HttpRequest request) =>
        oauth.TokenAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(CreateOAuthClient))]
    public Task<IActionResult> CreateOAuthClient([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/oauth2/clients")] HttpRequest request) =>
        oauth.CreateClientAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(ListOAuthClients))]
    public Task<IActionResult> ListOAuthClients([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/oauth2/clients")] HttpRequest request) =>
        oauth.ListClientsAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(RevokeOAuthClient))]
    public Task<IActionResult> RevokeOAuthClient([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/oauth2/clients/{clientId}")] HttpRequest request, string clientId) =>
        oauth.RevokeClientAsync(request, clientId, request.HttpContext.RequestAborted);
}
