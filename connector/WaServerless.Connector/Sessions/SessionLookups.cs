using Microsoft.Extensions.Logging;
using WaServerless.Core.Engines;
using WaServerless.Storage.Sessions;

namespace WaServerless.Connector.Sessions;

/// <summary>
/// Answers what the API asks a connected session's engine through storage (the API has no engine):
/// its groups, and whether numbers are on WhatsApp. The API marks the session record; the session's
/// worker, on its next reconcile, asks the engine and stores the answer where the API waits for it.
/// </summary>
internal sealed partial class SessionLookups(GroupDirectory groups, NumberCheckStore checks, ILogger<SessionLookups> logger)
{
    /// <summary>Numbers per call to the engine: WAHA checks one per request, so a batch is also a pause point.</summary>
    private const int CheckBatch = 100;

    /// <summary>At most this many pending checks are answered per reconcile; the rest on the next.</summary>
    private const int MaxChecksPerRound = 1000;

    /// <summary>Lists the groups when asked since <paramref name="handled"/>; returns the request now handled (or still to retry).</summary>
    public Task<DateTimeOffset?> ListGroupsIfAskedAsync(SessionRecord current, DateTimeOffset? handled, IWhatsAppSessionEngine engine, CancellationToken cancellationToken) =>
        AnswerAsync(current, current.GroupsRequestedAt, handled, "groups", async () =>
        {
            var list = await engine.ListGroupsAsync(current.Key, cancellationToken);
            await groups.ReplaceAsync(current.Key, list, cancellationToken);
            LogGroupsListed(logger, current.Key, list.Count);
            return true;
        }, cancellationToken);

    /// <summary>Answers the account's pending number checks when asked since <paramref name="handled"/>.</summary>
    public Task<DateTimeOffset?> CheckNumbersIfAskedAsync(SessionRecord current, DateTimeOffset? handled, IWhatsAppSessionEngine engine, CancellationToken cancellationToken) =>
        AnswerAsync(current, current.NumberChecksRequestedAt, handled, "number checks", async () =>
        {
            var pending = await checks.PendingAsync(current.AccountId, MaxChecksPerRound, cancellationToken);
            foreach (var batch in pending.Chunk(CheckBatch))
            {
                var answers = await engine.CheckNumbersAsync(current.Key, batch, cancellationToken);
                await checks.RecordAsync(current.AccountId, answers, cancellationToken);
            }

            LogNumbersChecked(logger, current.Key, pending.Count);

            // A full round may have left more: the request stays open for the next reconcile.
            return pending.Count < MaxChecksPerRound;
        }, cancellationToken);

    /// <summary>
    /// Runs <paramref name="answer"/> for a request newer than the one handled. An engine's refusal
    /// closes the request (the API refuses those up front; one stored before that is dropped); any
    /// other failure leaves it open, so the next reconcile tries again.
    /// </summary>
    private async Task<DateTimeOffset?> AnswerAsync(SessionRecord current, DateTimeOffset? asked, DateTimeOffset? handled, string what, Func<Task<bool>> answer, CancellationToken cancellationToken)
    {
        if (asked is null || asked == handled)
        {
            return handled;
        }

        try
        {
            return await answer() ? asked : handled;
        }
        catch (EngineCapabilityException e)
        {
            LogLookupRefused(logger, current.Key, e.Message);
            return asked;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogLookupFailed(logger, e, current.Key, what);
            return handled;
        }
    }

    [LoggerMessage(LogLevel.Debug, "Session {SessionKey}: {Count} groups listed")]
    private static partial void LogGroupsListed(ILogger logger, string sessionKey, int count);

    [LoggerMessage(LogLevel.Debug, "Session {SessionKey}: {Count} numbers checked")]
    private static partial void LogNumbersChecked(ILogger logger, string sessionKey, int count);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey}: lookup refused by its engine: {Reason}")]
    private static partial void LogLookupRefused(ILogger logger, string sessionKey, string reason);

    [LoggerMessage(LogLevel.Warning, "Session {SessionKey}: {What} failed; tried again on the next reconcile")]
    private static partial void LogLookupFailed(ILogger logger, Exception exception, string sessionKey, string what);
}
