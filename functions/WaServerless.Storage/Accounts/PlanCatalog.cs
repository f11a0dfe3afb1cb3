using Microsoft.Extensions.Options;
using WaServerless.Core.Accounts;
using WaServerless.Core.Limits;

namespace WaServerless.Storage.Accounts;

/// <summary>Resolves plans by name and the limits that apply to one caller.</summary>
public sealed class PlanCatalog(IOptions<PlanOptions> plans, IOptions<LimitOptions> limits)
{
    public IReadOnlyCollection<string> Names => plans.Value.Plans.Keys;

    public Plan? Find(string name)
    {
        if (!plans.Value.Plans.TryGetValue(name, out var plan))
        {
            return null;
        }

        plan.Name = plans.Value.Plans.Keys.First(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        return plan;
    }

    public Plan PlanOf(Account account)
    {
        ArgumentNullException.ThrowIfNull(account);
        return Find(account.Plan) ?? throw new InvalidOperationException($"Account {account.Id} has plan '{account.Plan}', which is not configured.");
    }

    public SendLimits LimitsFor(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var plan = PlanOf(caller.Account);
        return new SendLimits(
            caller.Account.MonthlyQuota,
            plan.SubmissionsPerMinute,
            caller.Key.RecipientGap ?? limits.Value.DefaultRecipientGap,
            plan.RecipientDailyCap,
            limits.Value.OtpCooldown)
        {
            RequireOptIn = plan.RequireOptIn,
            DailyMessages = plan.DailyMessages ?? long.MaxValue,
        };
    }
}
