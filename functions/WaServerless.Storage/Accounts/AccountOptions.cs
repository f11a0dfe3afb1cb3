using System.ComponentModel.DataAnnotations;

namespace WaServerless.Storage.Accounts;

public sealed class AccountOptions
{
    public const string Section = "Accounts";

    /// <summary>Monthly message quota of a new account when its creator gives none.</summary>
    [Range(1, long.MaxValue)]
    public long DefaultMonthlyQuota { get; set; } = 10_000;
}
