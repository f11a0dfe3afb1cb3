using Microsoft.Extensions.Options;
using WaServerless.Core.Engines;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Sending;

/// <summary>
/// What a session's engine cannot carry is refused up front (422 MESSAGE_TYPE_NOT_SUPPORTED) rather
/// than accepted and then failed at the engine: for POST /api/send and for every bulk campaign.
/// </summary>
public sealed class EngineSupport(IOptions<WahaSendingOptions> waha)
{
    /// <summary>The refusal for sending <paramref name="content"/> to <paramref name="recipient"/> (null for a campaign) on <paramref name="session"/>, or null when its engine can.</summary>
    public ApiError? Refusal(SessionRecord session, MessageContent content, string? recipient)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(content);
        if (session.Engine is not { } engine || EngineCapabilities.For(engine, waha.Value.ButtonsFallback) is not { } capabilities)
        {
            return null;
        }

        if (recipient is not null && GroupIds.IsGroup(recipient) && !capabilities.Groups)
        {
            return new ApiError(422, ErrorCodes.MessageTypeNotSupported, $"WhatsApp session '{session.SessionId}' runs on the {engine} engine, which cannot send to groups.", "Send to a group from a waha session.");
        }

        if (!capabilities.CanSend(content.Type))
        {
            return new ApiError(
                422,
                ErrorCodes.MessageTypeNotSupported,
                $"WhatsApp session '{session.SessionId}' runs on the {engine} engine, which cannot send {content.Type.ToWire()} messages.",
                content.Type switch
                {
                    MessageType.Template => "Templates are Meta's: send them from a cloudapi session.",
                    MessageType.Poll => "Polls go out from waha sessions; Meta's Cloud API has none.",
                    MessageType.Carousel => "Set Waha__ButtonsFallback to NumberedText or Poll to send carousels as one image per card, or send from a cloudapi session.",
                    _ => "Send another message type, or set Waha__ButtonsFallback to NumberedText or Poll.",
                });
        }

        // The type goes out on this engine; its shape can still be refused (a call button, a carousel outside Meta's rules).
        return capabilities.Refusal(content) is { } why
            ? new ApiError(
                422,
                ErrorCodes.MessageTypeNotSupported,
                $"WhatsApp session '{session.SessionId}' runs on the {engine} engine, which {why}.",
                content is CarouselContent ? "Reshape the carousel, or send it from a waha session." : "Keep the URL button (Meta's cta_url), or send call buttons from a waha session.")
            : null;
    }
}
