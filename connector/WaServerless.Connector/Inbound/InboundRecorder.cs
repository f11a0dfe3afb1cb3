using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Consent;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Sessions;
using WaServerless.Core.Telemetry;
using WaServerless.Queues;
using WaServerless.Storage.Inbound;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Sessions;

namespace WaServerless.Connector.Inbound;

/// <summary>
/// Takes an inbound message an engine reported, finds the account's session it arrived on, stores
/// it and publishes it on the events queue (webhooks pick it up from there). Stored before
/// published; a repeat from the engine stores nothing and publishes the first one again.
/// </summary>
internal sealed partial class InboundRecorder(
    InboundMessageStore store,
    EngineAddressIndex addresses,
    EventsQueue events,
    MessageStore messages,
    IOptions<ConsentOptions> consent,
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

        var id = InboundMessageStore.NewId(message.At);
        var received = new InboundMessageReceived
        {
            EventId = id,
            MessageId = id,
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
        };
        var (added, stored, published) = await store.AddAsync(received, cancellationToken);
        if (added)
        {
            WaTelemetry.MessagesInbound.Add(1, WaTelemetry.Tag("message_type", message.MessageType));
            LogReceived(logger, stored.MessageId, session.AccountId, session.SessionId);
        }
        else
        {
            LogDuplicate(logger, message.EngineMessageId);
        }

        // A stop or start word changes the sender's consent before anything else is sent to them. On a
        // repeat it is applied again (a no-op when it took), so a crash after the store cannot lose it.
        if (message.MessageType == "text" && consent.Value.Classify(message.Text) is { } change)
        {
            await ApplyConsentAsync(stored, change, cancellationToken);
        }

        if (published)
        {
            return; // a repeat of a message already published: the account's webhooks have it
        }

        // Published (again, with the first one's id, when the first publish did not get through), then
        // marked so that a later repeat is not. A crash between the two publishes twice, under one
        // event id that Service Bus duplicate detection and receivers absorb.
        await events.PublishAsync(stored, cancellationToken);
        if (stored.EngineMessageId is { } engineId)
        {
            await store.MarkPublishedAsync(stored.AccountId, engineId, cancellationToken);
        }
    }

    private async Task ApplyConsentAsync(InboundMessageReceived stored, RecipientConsent change, CancellationToken cancellationToken)
    {
        if (!await messages.SetConsentAsync(stored.AccountId, stored.From, change, stored.FromName, ConsentSources.Inbound, cancellationToken))
        {
            return;
        }

        LogConsent(logger, stored.AccountId, change.ToString());
        await events.PublishAsync(
            new RecipientConsentChanged
            {
                // One event per inbound message: a repeat of the message publishes the same id.
                EventId = "consent-" + stored.MessageId,
                AccountId = stored.AccountId,
                SessionId = stored.SessionId,
                Number = stored.From,
                Consent = change == RecipientConsent.OptedOut ? "opted_out" : "opted_in",
                Keyword = stored.Text?.Trim(),
                InboundMessageId = stored.MessageId,
                At = stored.At,
            },
            cancellationToken);
    }

    // Engines that hold sessions themselves (the Sandbox) report by session key; the Cloud API reports
    // by the business phone number id, which belongs to the one session bound to it.
    private async Task<(string AccountId, string SessionId)?> ResolveAsync(string engineSessionId, CancellationToken cancellationToken)
    {
        if (SessionKey.TryParse(engineSessionId, out var key))
        {
            return (key.AccountId, key.Name);
        }

        var bound = await addresses.FindAsync(EngineNames.CloudApi, engineSessionId, cancellationToken);
        if (bound is null)
        {
            return null;
        }

        var boundKey = SessionKey.Parse(bound);
        return (boundKey.AccountId, boundKey.Name);
    }

    [LoggerMessage(LogLevel.Information, "A recipient of account {AccountId} is now {Consent} (a keyword they sent)")]
    private static partial void LogConsent(ILogger logger, string accountId, string consent);

    [LoggerMessage(LogLevel.Warning, "Inbound message for {EngineSessionId} dropped: no session is bound to it")]
    private static partial void LogNoSession(ILogger logger, string engineSessionId);

    [LoggerMessage(LogLevel.Debug, "Inbound message {EngineMessageId} reported again; already stored")]
    private static partial void LogDuplicate(ILogger logger, string? engineMessageId);

    [LoggerMessage(LogLevel.Information, "Inbound message {MessageId} for account {AccountId} session {SessionId}")]
    private static partial void LogReceived(ILogger logger, string messageId, string accountId, string sessionId);
}
