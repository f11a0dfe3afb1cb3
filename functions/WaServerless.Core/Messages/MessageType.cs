namespace WaServerless.Core.Messages;

/// <summary>What a message is, as clients name it in message_type.</summary>
public enum MessageType
{
    Text,
    Image,
    Document,
    Video,
    Audio,
    Location,
    Contact,
    Buttons,
    CopyCode,
    List,
    Template,
    Poll,
    CallToAction,
    Album,
    Carousel,
}

public static class MessageTypeNames
{
    public static string ToWire(this MessageType type) => type switch
    {
        MessageType.Text => "text",
        MessageType.Image => "image",
        MessageType.Document => "document",
        MessageType.Video => "video",
        MessageType.Audio => "audio",
        MessageType.Location => "location",
        MessageType.Contact => "contact",
        MessageType.Buttons => "buttons",
        MessageType.CopyCode => "copy_code",
        MessageType.List => "list",
        MessageType.Template => "template",
        MessageType.Poll => "poll",
        MessageType.CallToAction => "call_to_action",
        MessageType.Album => "album",
        MessageType.Carousel => "carousel",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static bool TryParse(string value, out MessageType type)
    {
        foreach (var candidate in Enum.GetValues<MessageType>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }

        type = default;
        return false;
    }
}
