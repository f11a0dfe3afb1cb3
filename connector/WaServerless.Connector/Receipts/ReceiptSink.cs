using Microsoft.Extensions.Logging;
using WaServerless.Connector.Sending;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;
using WaServerless.Core.Telemetry;
using WaServerless.Storage.Messages;

namespace WaServerless.Connector.Receipts;

/// <summary>
/// Turns engine events into status changes. Receipts can come late, twice or out of order (read
/// before delivered); the store's forward-only rule makes each of those a no-op, not a regression.
/// </summary>
internal sealed partial class ReceiptSink(EngineMessageIndex engineIds, StatusRecorder recorder, TimeProvider time, ILogger<ReceiptSink> logger) : IEngineEventSink
{
    // An engine can report a receipt before the sender has recorded the engine's id for the message
    // (WhatsApp acks within milliseconds; the Sandbox at once when told to): look again a few times
    // before deciding the id is not ours. Only unknown ids pay for the extra reads.
    private static readonly TimeSpan[] UnknownIdRetries = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1250)];

    public async Task OnEventAsync(EngineEvent engineEvent, CancellationToken cancellationToken)
    {
        if (engineEvent is not ReceiptEvent receipt)
        {
            return;
        }

        var found = await engineIds.FindAsync(receipt.EngineMessageId, cancellationToken);
        for (var retry = 0; found is null && retry < UnknownIdRetries.Length; retry++)
        {
            await Task.Delay(UnknownIdRetries[retry], time, cancellationToken);
            found = await engineIds.FindAsync(receipt.EngineMessageId, cancellationToken);
        }

        if (found is not { } ids)
        {
            LogUnknownReceipt(logger, receipt.EngineMessageId);
            return;
        }

        var (status, failure) = receipt.Kind switch
        {
            ReceiptKind.Delivered => (MessageStatus.Delivered, FailureKind.None),
            ReceiptKind.Read => (MessageStatus.Read, FailureKind.None),
            _ => (MessageStatus.Failed, FailureKind.Permanent),
        };
        var (record, changed) = await recorder.RecordAsync(
            ids.AccountId,
            ids.MessageId,
            new StatusUpdate(status, receipt.At, FailureReason: receipt.Reason),
            failure,
            null,
            cancellationToken);

        if (changed && record is not null)
        {
            var type = WaTelemetry.Tag("message_type", record.Content.Type.ToWire());
            if (status == MessageStatus.Delivered)
            {
                WaTelemetry.MessagesDelivered.Add(1, type);
                WaTelemetry.SendLatency.Record((receipt.At - record.AcceptedAt).TotalSeconds, WaTelemetry.Tag("stage", "accepted_to_delivered"));
            }
            else if (status == MessageStatus.Read)
            {
                WaTelemetry.MessagesRead.Add(1, type);
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Receipt for unknown engine message {EngineMessageId} ignored")]
    private static partial void LogUnknownReceipt(ILogger logger, string engineMessageId);
}
