using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Messages;

namespace WaServerless.Connector.Sending;

/// <summary>One part that went out: what it was and the id the engine gave it.</summary>
internal sealed record SentPart(MessageType Type, string EngineMessageId);

/// <summary>The outcome of sending a message, and the parts that went out (one for most messages).</summary>
internal sealed record PartsOutcome(EngineSendResult Result, IReadOnlyList<SentPart> Parts)
{
    /// <summary>The history's note of each part, for a message that went out as several: "3 parts: 1 image sbx.1, 2 video sbx.2, 3 image sbx.3".</summary>
    public string? Detail => Parts.Count < 2
        ? null
        : $"{Parts.Count} parts: " + string.Join(", ", Parts.Select((p, i) => $"{i + 1} {p.Type.ToWire()} {p.EngineMessageId}"));
}

/// <summary>
/// Sends a message through its engine, part by part where the engine sends it that way (albums;
/// carousels on WhatsApp Web), in order. A part that fails stops the rest. When it is the first,
/// nothing went out and the failure stands as the engine classified it; after the first, some parts
/// reached the recipient and a retry would send them twice, so the message fails for good and says
/// which parts went out.
/// </summary>
internal static class PartsSender
{
    public static async Task<PartsOutcome> SendAsync(IWhatsAppEngine engine, EngineSendRequest request, CancellationToken cancellationToken)
    {
        if (!engine.Capabilities.SendsAsParts(request.Content))
        {
            var single = await engine.SendAsync(request, cancellationToken);
            return new PartsOutcome(single, single.Succeeded ? [new SentPart(request.Content.Type, single.EngineMessageId!)] : []);
        }

        var parts = MessageParts.Split(request.Content);
        var sent = new List<SentPart>();
        for (var i = 0; i < parts.Count; i++)
        {
            var part = request with { MessageId = MessageParts.PartId(request.MessageId, i, parts.Count), Content = parts[i] };
            var result = await engine.SendAsync(part, cancellationToken);
            if (!result.Succeeded)
            {
                var reason = $"part {i + 1} of {parts.Count} ({parts[i].Type.ToWire()}) failed: {result.Reason}";
                return sent.Count == 0
                    ? new PartsOutcome(result with { Reason = reason }, sent)
                    : new PartsOutcome(EngineSendResult.Permanent($"{reason}; parts 1 to {sent.Count} went out, so it is not retried"), sent);
            }

            sent.Add(new SentPart(parts[i].Type, result.EngineMessageId!));
        }

        return new PartsOutcome(EngineSendResult.Sent(sent[0].EngineMessageId), sent);
    }
}
