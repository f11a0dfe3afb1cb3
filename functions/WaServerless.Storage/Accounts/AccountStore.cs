using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Accounts;

/// <summary>Accounts, one row each in the accounts table (PartitionKey "account", RowKey the id).</summary>
public sealed class AccountStore(StorageClients clients, TimeProvider time, IOptions<AccountOptions> options)
{
    private const string Partition = "account";
    private TableClient Table => clients.Table(TableNames.Accounts);

    public async Task<Account> CreateAsync(string name, long? monthlyQuota, string? id, CancellationToken cancellationToken)
    {
        var account = new Account(
            id ?? "acc_" + RandomNumberGenerator.GetHexString(16, lowercase: true),
            name,
            AccountStatus.Active,
            monthlyQuota ?? options.Value.DefaultMonthlyQuota,
            "default",
            time.GetUtcNow());
        await Table.AddEntityAsync(ToEntity(account), cancellationToken);
        return account;
    }

    public async Task<Account?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    private static TableEntity ToEntity(Account a) => new(Partition, a.Id)
    {
        ["Name"] = a.Name,
        ["Status"] = a.Status.ToString(),
        ["MonthlyQuota"] = a.MonthlyQuota,
        ["DefaultSessionId"] = a.DefaultSessionId,
        ["CreatedAt"] = a.CreatedAt,
    };

    private static Account FromEntity(TableEntity e) => new(
        e.RowKey,
        e.GetString("Name") ?? e.RowKey,
        Enum.TryParse<AccountStatus>(e.GetString("Status"), out var status) ? status : AccountStatus.Suspended,
        e.GetInt64("MonthlyQuota") ?? 0,
        e.GetString("DefaultSessionId") ?? "default",
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue);
}

public static class RequestFailedExceptionExtensions
{
    public static bool IsConflict(this RequestFailedException e) => e.Status == 409;

    public static bool IsPreconditionFailed(this RequestFailedException e) => e.Status == 412;
}
