namespace WaServerless.Core.Engines;

/// <summary>A message a WhatsApp user sent to one of our sessions, as an engine saw it.</summary>
/// <param name="SessionId">The session (engine key) that received it.</param>
/// <param name="EngineMessageId">The engine's id for it (a wamid on the Cloud API).</param>
/// <param name="From">The sender, E.164 with the plus.</param>
/// <param name="MessageType">
/// text, image, document, audio, video, sticker, location, contact, reaction; for interactive
/// replies button_reply or list_reply.
/// </param>
/// <param name="Text">Text body, caption, chosen button or row title, reaction emoji, or location name.</param>
/// <param name="ReplyId">The id of the chosen reply button or list row (a template button's payload).</param>
/// <param name="MediaId">The media id to download an image, document, audio, video or sticker with.</param>
/// <param name="ProfileName">The sender's WhatsApp profile name, when the engine knows it.</param>
/// <param name="InReplyTo">The engine message id this message answers or reacts to.</param>
public sealed record InboundMessage(
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
