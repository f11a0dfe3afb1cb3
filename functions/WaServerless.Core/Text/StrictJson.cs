using System.Text.Json;

namespace WaServerless.Core.Text;

/// <summary>
/// JSON parsing that also checks every string. JsonDocument.Parse accepts invalid UTF-8 and lone
/// surrogate escapes ("\uD800") inside strings and only throws when the string is read, long after
/// the request was judged well-formed; here such a body is refused as malformed JSON up front.
/// </summary>
public static class StrictJson
{
    public static JsonDocument Parse(string json, JsonDocumentOptions options = default) => Checked(JsonDocument.Parse(json, options));

    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8Json, JsonDocumentOptions options = default) => Checked(JsonDocument.Parse(utf8Json, options));

    private static JsonDocument Checked(JsonDocument document)
    {
        if (!AreStringsValid(document.RootElement))
        {
            document.Dispose();
            throw new JsonException("A string in it is not valid text (invalid UTF-8, or a lone surrogate escape).");
        }

        return document;
    }

    private static bool AreStringsValid(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    foreach (var item in element.EnumerateArray())
                    {
                        if (!AreStringsValid(item))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!AreStringsValid(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
