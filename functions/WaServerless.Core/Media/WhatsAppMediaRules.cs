using WaServerless.Core.Messages;

namespace WaServerless.Core.Media;

/// <summary>The kinds of media WhatsApp carries, each with its own types and size limit.</summary>
public enum MediaKind
{
    Image,
    Video,
    Audio,
    Document,
    Sticker,
}

/// <summary>
/// What WhatsApp accepts for each kind of media (the limits the commercial APIs publish): images
/// JPEG/PNG up to 5 MB, video MP4/3GPP up to 16 MB, audio AAC/MP4/AMR/MPEG/OGG/Opus up to 16 MB,
/// documents of any type up to 100 MB, stickers WebP up to 100 KB. Checked where the bytes are
/// read, since a URL's extension and its server's headers at accept time prove nothing.
/// </summary>
public static class WhatsAppMediaRules
{
    private static readonly Dictionary<MediaKind, (long MaxBytes, string[] Types)> Rules = new()
    {
        [MediaKind.Image] = (5L * 1024 * 1024, ["image/jpeg", "image/png"]),
        [MediaKind.Video] = (16L * 1024 * 1024, ["video/mp4", "video/3gpp"]),
        [MediaKind.Audio] = (16L * 1024 * 1024, ["audio/aac", "audio/mp4", "audio/amr", "audio/mpeg", "audio/ogg", "audio/opus"]),
        [MediaKind.Document] = (100L * 1024 * 1024, []),
        [MediaKind.Sticker] = (100L * 1024, ["image/webp"]),
    };

    public static long MaxBytes(MediaKind kind) => Rules[kind].MaxBytes;

    /// <summary>The content types WhatsApp takes for <paramref name="kind"/>; empty means any.</summary>
    public static IReadOnlyList<string> ContentTypes(MediaKind kind) => Rules[kind].Types;

    /// <summary>Whether <paramref name="contentType"/> (parameters such as "; codecs=opus" ignored) is one WhatsApp takes for <paramref name="kind"/>.</summary>
    public static bool Accepts(MediaKind kind, string? contentType)
    {
        var types = Rules[kind].Types;
        if (types.Length == 0)
        {
            return true;
        }

        var bare = Bare(contentType);
        return bare is not null && types.Contains(bare, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>"audio/ogg; codecs=opus" -> "audio/ogg"; null for nothing.</summary>
    public static string? Bare(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim().ToLowerInvariant();
    }

    /// <summary>The kind a message's media is, or null for content without media.</summary>
    public static MediaKind? KindOf(MessageContent content) => content switch
    {
        ImageContent => MediaKind.Image,
        VideoContent => MediaKind.Video,
        AudioContent => MediaKind.Audio,
        DocumentContent => MediaKind.Document,
        _ => null,
    };
}
