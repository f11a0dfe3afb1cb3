using WaServerless.Core.Engines;

namespace WaServerless.Engines.CloudApi;

/// <summary>
/// A message a WhatsApp user sent to the business number. Lives here until Core has an
/// engine-neutral inbound event.
/// </summary>
/// <param name="SessionId">The business phone number id that received it.</param>
/// <param name="EngineMessageId">Its wamid.</param>
/// <param name="From">The sender, E.164 with the plus.</param>
/// <param name="MessageType">
/// Meta's type (text, image, document, audio, video, sticker, location, reaction, button, ...); for
/// interactive replies the interactive type instead: button_reply or list_reply.
/// </param>
/// <param name="Text">Text body, caption, chosen button or row title, reaction emoji, or location name.</param>
/// <param name="ReplyId">The id of the chosen reply button or list row (a template button's payload).</param>
/// <param name="MediaId">The media id to download an image, document, audio, video or sticker with.</param>
/// <param name="ProfileName">The sender's WhatsApp profile name, when Meta sends it.</param>
/// <param name="InReplyTo">The wamid this message answers or reacts to.</param>
public sealed record CloudApiInboundMessage(
    string SessionId,
    DateTimeOffset At,
    string EngineMessageId,
    string From,
    string MessageType,
    string? Text = null,
    string? ReplyId = null,
    string? MediaId = null,
    string? ProfileName = null,
    string? InReplyTo = null) : EngineEvent(SessionId, At);
