namespace WaServerless.Storage.Infrastructure;

/// <summary>
/// Whether a string can be a table key. The service refuses '/', '\', '#', '?' and control
/// characters in keys with a 400 and caps them at 1 KiB (Azurite at 512 characters); an id from a
/// request that could never be a key is simply not found, never a storage error.
/// </summary>
public static class TableKeys
{
    public const int MaxLength = 512;

    public static bool IsValid(string? key)
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxLength)
        {
            return false;
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                return false;
            }

            // A surrogate pair (an emoji) is text; a lone half cannot be sent as UTF-8 at all.
            if (char.IsHighSurrogate(c) && i + 1 < key.Length && char.IsLowSurrogate(key[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
