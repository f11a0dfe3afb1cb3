namespace WaServerless.Core.Bulk;

/// <summary>An uploaded recipients file: its bytes as sent, its name and type as the client gave them.</summary>
public sealed record RecipientUpload(byte[] Content, string? FileName, string? ContentType)
{
    /// <summary>A JSON array rather than CSV: named .json, typed as JSON, or starting with '['.</summary>
    public bool IsJson =>
        (FileName?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ?? false)
        || (ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false)
        || FirstCharacter() == '[';

    private char? FirstCharacter()
    {
        var skip = Content.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        foreach (var b in Content.AsSpan(skip))
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return (char)b;
            }
        }

        return null;
    }
}
