using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Accounts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Accounts;

/// <summary>Accounts, one row each in the accounts table (PartitionKey "account", RowKey the id).</summary>
public sealed class AccountStore(StorageClients clients, TimeProvider time)
{
    private const string Partition = "account";
    private TableClient Table => clients.Table(TableNames.Accounts);

    private long _writes;

    /// <summary>How many changes to accounts this instance has made; remembered answers about an account are stale once it moves.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public async Task<Account> CreateAsync(string name, string plan, long monthlyQuota, DateTimeOffset? trialEndsAt, string? id, CancellationToken cancellationToken)
    {
        var account = new Account(
            id ?? "acc_" + RandomNumberGenerator.GetHexString(16, lowercase: true),
            name,
            AccountStatus.Active,
            plan,
            monthlyQuota,
            "default",
            time.GetUtcNow(),
            trialEndsAt);
        await Table.AddEntityAsync(ToEntity(account), cancellationToken);
        return account;
    }

    public async Task<Account?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(id))
        {
            return null;
        }

        var response = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, id, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<Account>> ListAsync(CancellationToken cancellationToken)
    {
        var accounts = new List<Account>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(e => e.PartitionKey == Partition, cancellationToken: cancellationToken))
        {
            accounts.Add(FromEntity(entity));
        }

        return accounts;
    }

    /// <summary>Returns the updated account, or null when there is none with this id.</summary>
    public async Task<Account?> SetStatusAsync(string id, AccountStatus status, CancellationToken cancellationToken)
    {
        if (!TableKeys.IsValid(id))
        {
            return null;
        }

        var entity = new TableEntity(Partition, id) { ["Status"] = status.ToString() };
        try
        {
            await Table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
            Interlocked.Increment(ref _writes);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }

        return await GetAsync(id, cancellationToken);
    }

    private static TableEntity ToEntity(Account a) => new(Partition, a.Id)
    {
        ["Name"] = a.Name,
        ["Status"] = a.Status.ToString(),
        ["Plan"] = a.Plan,
        ["MonthlyQuota"] = a.MonthlyQuota,
        ["DefaultSessionId"] = a.DefaultSessionId,
        ["CreatedAt"] = a.CreatedAt,
        ["TrialEndsAt"] = a.TrialEndsAt,
    };

    private static Account FromEntity(TableEntity e) => new(
        e.RowKey,
        e.GetString("Name") ?? e.RowKey,
        Enum.TryParse<AccountStatus>(e.GetString("Status"), out var status) ? status : AccountStatus.Suspended,
        e.GetString("Plan") ?? "starter",
        e.GetInt64("MonthlyQuota") ?? 0,
        e.GetString("DefaultSessionId") ?? "default",
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("TrialEndsAt"));
}

public static class RequestFailedExceptionExtensions
{
    public static bool IsConflict(this RequestFailedException e) => e.Status == 409;

    public static bool IsPreconditionFailed(this RequestFailedException e) => e.Status == 412;
}
