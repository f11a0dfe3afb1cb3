namespace WaServerless.Engines.Waha;

/// <summary>WhatsApp ids as WAHA writes them, and ours.</summary>
public static class WahaIds
{
    /// <summary>
    /// The bare message key of a WAHA message id. WAHA serialises ids as "{fromMe}_{chat}_{key}"
    /// (with a participant after the key in groups), and the same message can arrive under its @lid
    /// and its @c.us chat; the key WhatsApp gave it is the same in both, so receipts and inbound
    /// de-duplication use the key alone.
    /// </summary>
    public static string Bare(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var parts = id.Split('_');
        return parts.Length >= 3 && parts[0] is "true" or "false" ? parts[2] : id;
    }

    /// <summary>A WAHA chat id for a recipient: a group id (…@g.us) or any other chat id as it is, a phone number as digits@c.us.</summary>
    public static string ChatIdOf(string recipient)
    {
        ArgumentException.ThrowIfNullOrEmpty(recipient);
        if (recipient.Contains('@', StringComparison.Ordinal))
        {
            return recipient;
        }

        var digits = new string(recipient.Where(char.IsAsciiDigit).ToArray());
        return digits + "@c.us";
    }

    /// <summary>"+15551234567" for "15551234567@c.us" (or …@s.whatsapp.net, or a device suffix "…:12@…"); null for a group or an @lid that is no phone number.</summary>
    public static string? PhoneOf(string? chatId)
    {
        if (string.IsNullOrEmpty(chatId))
        {
            return null;
        }

        var at = chatId.IndexOf('@', StringComparison.Ordinal);
        var user = at < 0 ? chatId : chatId[..at];
        var domain = at < 0 ? "c.us" : chatId[(at + 1)..];
        var colon = user.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            user = user[..colon];
        }

        return domain is "c.us" or "s.whatsapp.net" && user.Length is > 5 and < 16 && user.All(char.IsAsciiDigit) ? "+" + user : null;
    }
}
