using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using WaServerless.Core.Contracts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Inbound;

/// <summary>
/// Messages people sent to an account's sessions. One partition per account; message rows are keyed
/// "m" + inverted ticks + a random suffix, so a plain range query lists newest first, and the id
/// handed out (in_ + that key) finds the row without an index. Each message is stored together with
/// a marker row for its engine message id in one transaction: an engine that reports the same
/// message twice (Meta retries webhooks) stores it once.
/// </summary>
public sealed class InboundMessageStore(StorageClients clients)
{
    private const string IdPrefix = "in_";
    private const string MessageRowPrefix = "m";
    private const string MarkerRowPrefix = "d";

    private TableClient Table => clients.Table(TableNames.Inbound);

    /// <summary>A new id for an inbound message received at <paramref name="at"/>.</summary>
    public static string NewId(DateTimeOffset at) =>
        IdPrefix + (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + RandomNumberGenerator.GetHexString(6, lowercase: true);

    /// <summary>
    /// Stores it. When the engine already reported this engine message id nothing is written, and the
    /// message stored the first time comes back (Added false) with whether it was published, so the
    /// caller publishes it again only when the first publish did not happen (it may have failed after
    /// the store). An engine that reports one message twice (WAHA under two chat ids, Meta retrying a
    /// webhook) then reaches the account's webhooks once.
    /// </summary>
    public async Task<(bool Added, InboundMessageReceived Stored, bool Published)> AddAsync(InboundMessageReceived message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var row = RowKeyOf(message.MessageId) ?? throw new ArgumentException($"'{message.MessageId}' is not an inbound message id.", nameof(message));
        var entity = new TableEntity(message.AccountId, row)
        {
            ["SessionId"] = message.SessionId,
            ["From"] = message.From,
            ["FromName"] = message.FromName,
            ["Type"] = message.Type,
            ["Text"] = message.Text,
            ["ReplyId"] = message.ReplyId,
            ["MediaId"] = message.MediaId,
            ["InReplyTo"] = message.InReplyTo,
            ["EngineMessageId"] = message.EngineMessageId,
            ["At"] = message.At,
        };
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, entity) };
        if (message.EngineMessageId is { } engineId)
        {
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(message.AccountId, MarkerRowPrefix + Hash(engineId)) { ["MessageId"] = message.MessageId }));
        }

        try
        {
            await Table.SubmitTransactionAsync(actions, cancellationToken);
            return (true, message, false);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409 && message.EngineMessageId is { } repeatedId)
        {
            var marker = await Table.GetEntityAsync<TableEntity>(message.AccountId, MarkerRowPrefix + Hash(repeatedId), cancellationToken: cancellationToken);
            var first = await GetAsync(message.AccountId, marker.Value.GetString("MessageId") ?? string.Empty, cancellationToken);
            return (false, first ?? message, marker.Value.GetBoolean("Published") == true);
        }
    }

    /// <summary>Records that the message with this engine id was published, so a repeat of it is not published again.</summary>
    public async Task MarkPublishedAsync(string accountId, string engineMessageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engineMessageId);
        await Table.UpdateEntityAsync(new TableEntity(accountId, MarkerRowPrefix + Hash(engineMessageId)) { ["Published"] = true }, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    public async Task<InboundMessageReceived?> GetAsync(string accountId, string messageId, CancellationToken cancellationToken)
    {
        if (RowKeyOf(messageId) is not { } row)
        {
            return null;
        }

        var response = await Table.GetEntityIfExistsAsync<TableEntity>(accountId, row, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>
    /// Newest first, at most <paramref name="limit"/>, optionally one session's only, and older than
    /// the message <paramref name="before"/> (the cursor of the previous page).
    /// </summary>
    public async Task<IReadOnlyList<InboundMessageReceived>> ListAsync(string accountId, string? sessionId, string? before, int limit, CancellationToken cancellationToken)
    {
        var from = before is not null && RowKeyOf(before) is { } cursor ? cursor : MessageRowPrefix;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey gt {from} and RowKey lt {"n"}");
        if (sessionId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"SessionId eq {sessionId}");
        }

        var list = new List<InboundMessageReceived>(limit);
        await foreach (var e in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            list.Add(FromEntity(e));
            if (list.Count == limit)
            {
                break;
            }
        }

        return list;
    }

    private static string? RowKeyOf(string messageId) =>
        messageId.StartsWith(IdPrefix, StringComparison.Ordinal) && messageId.Length == IdPrefix.Length + 25 && messageId[IdPrefix.Length..].All(char.IsAsciiHexDigitLower)
            ? MessageRowPrefix + messageId[IdPrefix.Length..]
            : null;

    // Engine ids can hold characters a RowKey may not ('/', '#', '?'); a hash cannot.
    private static string Hash(string engineMessageId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(engineMessageId)));

    private static InboundMessageReceived FromEntity(TableEntity e) => new()
    {
        EventId = IdPrefix + e.RowKey[MessageRowPrefix.Length..],
        MessageId = IdPrefix + e.RowKey[MessageRowPrefix.Length..],
        AccountId = e.PartitionKey,
        SessionId = e.GetString("SessionId") ?? string.Empty,
        From = e.GetString("From") ?? string.Empty,
        FromName = e.GetString("FromName"),
        Type = e.GetString("Type") ?? "unknown",
        Text = e.GetString("Text"),
        ReplyId = e.GetString("ReplyId"),
        MediaId = e.GetString("MediaId"),
        InReplyTo = e.GetString("InReplyTo"),
        EngineMessageId = e.GetString("EngineMessageId"),
        At = e.GetDateTimeOffset("At") ?? default,
    };
}
