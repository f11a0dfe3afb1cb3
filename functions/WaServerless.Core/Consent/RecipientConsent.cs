using System.Globalization;

namespace WaServerless.Core.Consent;

/// <summary>What a recipient has said about messages from an account.</summary>
public enum RecipientConsent
{
    /// <summary>Nothing recorded: sends go out unless the account's plan requires opt-in.</summary>
    None,

    /// <summary>The account recorded the recipient's consent (POST /api/optin) or the recipient sent a start word.</summary>
    OptedIn,

    /// <summary>The recipient sent a stop word: every send to them is refused until they send a start word.</summary>
    OptedOut,
}

/// <summary>Where a consent change came from, as webhooks and GET /api/optin report it.</summary>
public static class ConsentSources
{
    public const string Api = "api";
    public const string Inbound = "inbound";
}

/// <summary>
/// The words an inbound message may consist of to opt its sender out or back in: the whole message,
/// any case, surrounding spaces and a trailing full stop or exclamation mark ignored ("Stop!" is a
/// stop word; "please stop sending" is not, so a conversation is never mistaken for one).
/// </summary>
public sealed class ConsentOptions
{
    public const string Section = "Consent";

    /// <summary>Comma-separated, so one app setting (Consent__StopWords) replaces the whole list.</summary>
    public string StopWords { get; set; } = "STOP,UNSUBSCRIBE,STOPP,ARRET,PARAR,退订";

    public string StartWords { get; set; } = "START,SUBSCRIBE,UNSTOP";

    /// <summary>The change <paramref name="text"/> asks for, or null when it is not a keyword.</summary>
    public RecipientConsent? Classify(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return null;
        }

        var word = text.Trim().TrimEnd('.', '!', '。', '！').Trim();
        if (Words(StopWords).Any(w => Same(w, word)))
        {
            return RecipientConsent.OptedOut;
        }

        return Words(StartWords).Any(w => Same(w, word)) ? RecipientConsent.OptedIn : null;
    }

    private static IEnumerable<string> Words(string list) =>
        list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static bool Same(string keyword, string word) =>
        string.Compare(keyword, word, CultureInfo.InvariantCulture, CompareOptions.IgnoreCase | CompareOptions.IgnoreNonSpace) == 0;
}

/// <summary>A recipient's recorded consent, as GET /api/optin lists it.</summary>
public sealed record ConsentRecord(string Number, string? Name, DateTimeOffset? At, string? Source);
