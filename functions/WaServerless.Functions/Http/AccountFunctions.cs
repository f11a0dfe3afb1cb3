using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Accounts;
using WaServerless.Core.Accounts;

namespace WaServerless.Functions.Http;

/// <summary>Accounts and keys: thin wrappers over AccountsHandler, which checks the admin or account credential.</summary>
public sealed class AccountFunctions(AccountsHandler accounts)
{
    [Function(nameof(CreateAccount))]
    public Task<IActionResult> CreateAccount([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts")] HttpRequest request) =>
        accounts.CreateAccountAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(ListAccounts))]
    public Task<IActionResult> ListAccounts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts")] HttpRequest request) =>
        accounts.ListAccountsAsync(request, request.HttpContext.RequestAborted);

    [Function(nameof(SuspendAccount))]
    public Task<IActionResult> SuspendAccount([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/suspend")] HttpRequest request, string accountId) =>
        accounts.SetAccountStatusAsync(request, accountId, AccountStatus.Suspended, request.HttpContext.RequestAborted);

    [Function(nameof(ActivateAccount))]
    public Task<IActionResult> ActivateAccount([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/activate")] HttpRequest request, string accountId) =>
        accounts.SetAccountStatusAsync(request, accountId, AccountStatus.Active, request.HttpContext.RequestAborted);

    [Function(nameof(CreateAccountKey))]
    public Task<IActionResult> CreateAccountKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/accounts/{accountId}/keys")] HttpRequest request, string accountId) =>
        accounts.CreateKeyAsync(request, accountId, request.HttpContext.RequestAborted);

    [Function(nameof(ListAccountKeys))]
    public Task<IActionResult> ListAccountKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/accounts/{accountId}/keys")] HttpRequest request, string accountId) =>
        accounts.ListKeysAsync(request, accountId, request.HttpContext.RequestAborted);

    [Function(nameof(ListOwnKeys))]
    public Task<IActionResult> ListOwnKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/keys")] HttpRequest request) =>
        accounts.ListKeysAsync(request, null, request.HttpContext.RequestAborted);

    [Function(nameof(CreateOwnKey))]
    public Task<IActionResult> CreateOwnKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/keys")] HttpRequest request) =>
        accounts.CreateKeyAsync(request, null, request.HttpContext.RequestAborted);

    [Function(nameof(RevokeKey))]
    public Task<IActionResult> RevokeKey([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/keys/{keyId}")] HttpRequest request, string keyId) =>
        accounts.RevokeKeyAsync(request, keyId, request.HttpContext.RequestAborted);
}
