using System.Globalization;
using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Limits;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Recipients;

/// <summary>The outcome of asking to send to a recipient now.</summary>
public abstract record RecipientSlot
{
    private RecipientSlot()
    {
    }

    /// <summary>Taken: the send is counted and may go now. Carries what to restore should the send not happen.</summary>
    public sealed record Granted(string AccountId, string Recipient, ETag Taken, DateTimeOffset? PreviousLastAt, string? PreviousDay, int PreviousDayCount) : RecipientSlot;

    /// <summary>Not yet: the gap since the last actual send, or today's cap, says wait until <see cref="Until"/>.</summary>
    public sealed record Wait(DateTimeOffset Until, string Reason, bool DailyCapReached = false) : RecipientSlot;
}

/// <summary>
/// What was actually sent to each recipient (the accept-time counters count what was accepted): the
/// time of the last send and the sends of the UTC day, one row per account and recipient, updated
/// with its ETag so that two connector replicas sending to one recipient never both take the same
/// slot. The connector asks it right before each send, so that messages held back (a session that
/// was down, retries) cannot reach one person in a burst or beyond the daily cap.
/// </summary>
public sealed class RecipientSendLedger(StorageClients clients, TimeProvider time)
{
    private const int MaxConflicts = 8;

    private TableClient Table => clients.Table(TableNames.RecipientSends);

    /// <param name="skipGap">OTPs: a login code does not wait for the gap (it still counts towards the cap).</param>
    public async Task<RecipientSlot> TryTakeAsync(string accountId, string recipient, TimeSpan gap, int dailyCap, bool skipGap, CancellationToken cancellationToken)
    {
        for (var conflict = 0; ; conflict++)
        {
            var now = time.GetUtcNow();
            var today = now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, recipient, cancellationToken: cancellationToken);
            var row = response.HasValue ? response.Value! : null;
            var last = row?.GetDateTimeOffset("LastAt");
            var sentToday = row?.GetString("Day") == today ? row.GetInt32("DayCount") ?? 0 : 0;

            if (sentToday >= dailyCap)
            {
                return new RecipientSlot.Wait(new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero), $"recipient daily cap of {dailyCap} reached", DailyCapReached: true);
            }

            if (!skipGap && last is { } l && l + gap > now)
            {
                return new RecipientSlot.Wait(l + gap, "recipient gap");
            }

            var next = new TableEntity(accountId, recipient) { ["LastAt"] = now, ["Day"] = today, ["DayCount"] = sentToday + 1 };
            try
            {
                var written = row is null
                    ? await Table.AddEntityAsync(next, cancellationToken)
                    : await Table.UpdateEntityAsync(next, row.ETag, TableUpdateMode.Replace, cancellationToken);
                return new RecipientSlot.Granted(accountId, recipient, written.Headers.ETag ?? ETag.All, last, row?.GetString("Day"), row?.GetInt32("DayCount") ?? 0);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && conflict < MaxConflicts)
            {
                // Another sender took a slot for this recipient in between: read again and decide again.
            }
        }
    }

    /// <summary>
    /// The send did not go out (a failure): the slot is given back, unless another send to the
    /// recipient has been counted since, which then stands.
    /// </summary>
    public async Task ReleaseAsync(RecipientSlot.Granted slot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var previous = new TableEntity(slot.AccountId, slot.Recipient) { ["Day"] = slot.PreviousDay ?? string.Empty, ["DayCount"] = slot.PreviousDayCount };
        if (slot.PreviousLastAt is { } lastAt)
        {
            previous["LastAt"] = lastAt;
        }

        try
        {
            await Table.UpdateEntityAsync(previous, slot.Taken, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
        }
    }
}
