using PhoneNumbers;

namespace WaServerless.Core.Sending;

/// <summary>Validates and normalises recipients to E.164 with Google's libphonenumber.</summary>
public static class PhoneNumberNormalizer
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>
    /// Accepts "+15551234567", "15551234567" (country code without the plus, as the commercial
    /// APIs do) and the same with spaces, dashes, dots or brackets. Returns null when the number is
    /// not a valid phone number of any region.
    /// </summary>
    public static string? TryNormalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input) || input.Length > 32)
        {
            return null;
        }

        var trimmed = input.Trim();
        foreach (var c in trimmed)
        {
            if (!(char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '.' or '(' or ')'))
            {
                return null;
            }
        }

        if (trimmed.LastIndexOf('+') > 0)
        {
            return null;
        }

        var international = trimmed.StartsWith('+') ? trimmed : "+" + trimmed;
        try
        {
            var parsed = Util.Parse(international, null);
            return Util.IsValidNumber(parsed) ? Util.Format(parsed, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }
}
