using Microsoft.Extensions.Logging;
using WaServerless.Connector.Sessions;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Sessions;
using WaServerless.Core.Telemetry;
using WaServerless.Queues;
using WaServerless.Storage.Inbound;
using WaServerless.Storage.Sessions;

namespace WaServerless.Connector.Inbound;

/// <summary>
/// Takes an inbound message an engine reported, finds the account's session it arrived on, stores
/// it and publishes it on the events queue (webhooks pick it up from there). Stored before
/// published, and published only when newly stored: a repeat from the engine changes nothing.
/// </summary>
public sealed partial class InboundRecorder(
    InboundMessageStore store,
    SessionStore sessions,
    EngineCatalog engines,
    EventsQueue events,
    ILogger<InboundRecorder> logger)
{
    public async Task RecordAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (await ResolveAsync(message.SessionId, cancellationToken) is not { } session)
        {
            LogNoSession(logger, message.SessionId);
            return;
        }

        var received = new InboundMessageReceived
        {
            EventId = InboundMessageStore.NewId(message.At),
            AccountId = session.AccountId,
            SessionId = session.SessionId,
            From = message.From,
            FromName = message.ProfileName,
            Type = message.MessageType,
            Text = message.Text,
            ReplyId = message.ReplyId,
            MediaId = message.MediaId,
            InReplyTo = message.InReplyTo,
            EngineMessageId = message.EngineMessageId,
            At = message.At,
            MessageId = string.Empty,
        };
        received = received with { MessageId = received.EventId };
        if (!await store.TryAddAsync(received, cancellationToken))
        {
            LogDuplicate(logger, message.EngineMessageId);
            return;
        }

        WaTelemetry.MessagesInbound.Add(1, WaTelemetry.Tag("message_type", message.MessageType));
        await events.PublishAsync(received, cancellationToken);
        LogReceived(logger, received.MessageId, session.AccountId, session.SessionId);
    }

    // Engines that hold sessions themselves (the Sandbox) report by session key; the Cloud API reports
    // by the business phone number id, which is this deployment's one Cloud API number.
    private async Task<(string AccountId, string SessionId)?> ResolveAsync(string engineSessionId, CancellationToken cancellationToken)
    {
        if (engineSessionId.Contains('~', StringComparison.Ordinal))
        {
            return SessionKeys.Parse(engineSessionId);
        }

        var onCloudApi = (await sessions.ListAllAsync(cancellationToken))
            .Where(s => (s.Engine ?? engines.DefaultEngine) == EngineNames.CloudApi && s.Desire == SessionDesire.Active)
            .OrderByDescending(s => s.State == SessionState.Connected)
            .ThenBy(s => s.CreatedAt)
            .FirstOrDefault();
        return onCloudApi is null ? null : (onCloudApi.AccountId, onCloudApi.SessionId);
    }

    [LoggerMessage(LogLevel.Warning, "Inbound message for {EngineSessionId} dropped: no session of any account runs there")]
    private static partial void LogNoSession(ILogger logger, string engineSessionId);

    [LoggerMessage(LogLevel.Debug, "Inbound message {EngineMessageId} reported again; already stored")]
    private static partial void LogDuplicate(ILogger logger, string? engineMessageId);

    [LoggerMessage(LogLevel.Information, "Inbound message {MessageId} for account {AccountId} session {SessionId}")]
    private static partial void LogReceived(ILogger logger, string messageId, string accountId, string sessionId);
}
