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
    public Task<IActionResult> CreateAccount([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts")] HttpRequest request, CancellationToken cancellationToken) =>
        accounts.CreateAccountAsync(request, cancellationToken);

    [Function(nameof(ListAccounts))]
    public Task<IActionResult> ListAccounts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts")] HttpRequest request, CancellationToken cancellationToken) =>
        accounts.ListAccountsAsync(request, cancellationToken);

    [Function(nameof(SuspendAccount))]
    public Task<IActionResult> SuspendAccount([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts/{accountId}/suspend")] HttpRequest request, string accountId, CancellationToken cancellationToken) =>
        accounts.SetAccountStatusAsync(request, accountId, AccountStatus.Suspended, cancellationToken);

    [Function(nameof(ActivateAccount))]
    public Task<IActionResult> ActivateAccount([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts/{accountId}/activate")] HttpRequest request, string accountId, CancellationToken cancellationToken) =>
        accounts.SetAccountStatusAsync(request, accountId, AccountStatus.Active, cancellationToken);

    [Function(nameof(CreateAccountKey))]
    public Task<IActionResult> CreateAccountKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "accounts/{accountId}/keys")] HttpRequest request, string accountId, CancellationToken cancellationToken) =>
        accounts.CreateKeyAsync(request, accountId, cancellationToken);

    [Function(nameof(ListAccountKeys))]
    public Task<IActionResult> ListAccountKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/keys")] HttpRequest request, string accountId, CancellationToken cancellationToken) =>
        accounts.ListKeysAsync(request, accountId, cancellationToken);

    [Function(nameof(ListOwnKeys))]
    public Task<IActionResult> ListOwnKeys([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "keys")] HttpRequest request, CancellationToken cancellationToken) =>
        accounts.ListKeysAsync(request, null, cancellationToken);

    [Function(nameof(CreateOwnKey))]
    public Task<IActionResult> CreateOwnKey([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "keys")] HttpRequest request, CancellationToken cancellationToken) =>
        accounts.CreateKeyAsync(request, null, cancellationToken);

    [Function(nameof(RevokeKey))]
    public Task<IActionResult> RevokeKey([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "keys/{keyId}")] HttpRequest request, string keyId, CancellationToken cancellationToken) =>
        accounts.RevokeKeyAsync(request, keyId, cancellationToken);
}
