namespace WaServerless.Core.Accounts;

public enum AccountStatus
{
    Active,
    Suspended,
}

/// <summary>A tenant: its plan's monthly quota and the WhatsApp session its sends go out on by default.</summary>
public sealed record Account(string Id, string Name, AccountStatus Status, long MonthlyQuota, string DefaultSessionId, DateTimeOffset CreatedAt);

/// <summary>An authenticated caller: the key that was used and the account it belongs to.</summary>
public sealed record Caller(string KeyId, Account Account);
