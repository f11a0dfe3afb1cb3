using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Media;
using WaServerless.Core.Messages;

namespace WaServerless.Engines.Waha;

/// <summary>
/// Sends through the WAHA sidecar: one POST per message to api/send…, in the WAHA session derived
/// from the session key. Media are fetched by the connector (<see cref="IMediaFetcher"/>) and go to
/// WAHA as data. Refusals, timeouts and network errors come back classified, never thrown; only the
/// caller's cancellation throws. Receipts arrive later by webhook as message.ack.
/// </summary>
public sealed partial class WahaEngine(WahaClient client, IMediaFetcher media, IOptions<WahaOptions> options, ILogger<WahaEngine> logger) : IWhatsAppEngine
{
    public string Name => EngineNames.Waha;

    public EngineCapabilities Capabilities => EngineCapabilities.Waha(options.Value.ButtonsFallback);

    public async Task<EngineSendResult> SendAsync(EngineSendRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var result = await TrySendAsync(request, cancellationToken);
        if (result.Succeeded)
        {
            LogSent(logger, request.MessageId, result.EngineMessageId!);
        }
        else
        {
            LogRefused(logger, request.MessageId, result.Failure, result.Reason ?? "");
        }

        return result;
    }

    private async Task<EngineSendResult> TrySendAsync(EngineSendRequest request, CancellationToken cancellationToken)
    {
        FetchedMedia? fetched = null;
        if (WhatsAppMediaRules.KindOf(request.Content) is { } kind && MediaUrls.Of(request.Content) is [var url, ..])
        {
            try
            {
                fetched = await media.FetchAsync(url, kind, request.MaxMediaBytes, cancellationToken);
            }
            catch (MediaFetchException e)
            {
                return new EngineSendResult(null, e.Failure, e.Message);
            }
        }

        WahaSend send;
        try
        {
            send = WahaMessageBuilder.Build(WahaSessionNames.Of(request.SessionKey), WahaIds.ChatIdOf(request.Recipient), request.Content, fetched, options.Value.ButtonsFallback);
        }
        catch (EngineCapabilityException e)
        {
            return EngineSendResult.Permanent(e.Message);
        }

        try
        {
            var id = await client.SendAsync(send.Path, send.Body, cancellationToken);
            // Accepted without an id receipts could be matched by: rare, and a bounded retry beats a silent loss.
            return id is null ? EngineSendResult.Transient("WAHA accepted the message without a message id") : EngineSendResult.Sent(id);
        }
        catch (WahaCallException e)
        {
            return new EngineSendResult(null, e.Failure, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Debug, "WAHA accepted {MessageId} as {EngineMessageId}")]
    private static partial void LogSent(ILogger logger, string messageId, string engineMessageId);

    [LoggerMessage(LogLevel.Warning, "WAHA send of {MessageId} failed ({Kind}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string messageId, FailureKind kind, string reason);
}
