namespace WaServerless.Core.Accounts;

public enum AccountStatus
{
    Active,
    Suspended,
}

/// <summary>A tenant: its plan, monthly quota, trial end if any, and the WhatsApp session its sends go out on by default.</summary>
public sealed record Account(
    string Id,
    string Name,
    AccountStatus Status,
    string Plan,
    long MonthlyQuota,
    string DefaultSessionId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? TrialEndsAt);

/// <summary>A key's stored form: never the key itself, only its salted hash (elsewhere) and the non-secret lookup prefix.</summary>
public sealed record ApiKeyRecord(
    string KeyId,
    string AccountId,
    string Name,
    string LookupPrefix,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    TimeSpan? RecipientGap);

/// <summary>An authenticated caller: the key that was used and the account it belongs to.</summary>
public sealed record Caller(ApiKeyRecord Key, Account Account)
{
    public string KeyId => Key.KeyId;
}
