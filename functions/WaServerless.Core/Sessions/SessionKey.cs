using System.Diagnostics.CodeAnalysis;

namespace WaServerless.Core.Sessions;

/// <summary>
/// Two ideas, two names. A session's <em>name</em> is the account's name for it ("default",
/// "sales"), unique within the account: what the API shows as a session id. Its <em>key</em> is
/// unique across accounts, "{accountId}~{name}": what engines, queues and leases use. This is the
/// key, with the one parser of its text form.
/// </summary>
public readonly record struct SessionKey
{
    public const char Separator = '~';

    public SessionKey(string accountId, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (accountId.Contains(Separator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"An account id cannot contain '{Separator}'.", nameof(accountId));
        }

        AccountId = accountId;
        Name = name;
    }

    public string AccountId { get; }

    /// <summary>The session's name within its account.</summary>
    public string Name { get; }

    public override string ToString() => AccountId + Separator + Name;

    /// <summary>The text form of the key of an account's named session.</summary>
    public static string Of(string accountId, string name) => new SessionKey(accountId, name).ToString();

    /// <summary>Account id up to the first separator, the name after it; both must be non-empty.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SessionKey key)
    {
        key = default;
        var at = text?.IndexOf(Separator, StringComparison.Ordinal) ?? -1;
        if (text is null || at <= 0 || at == text.Length - 1)
        {
            return false;
        }

        key = new SessionKey(text[..at], text[(at + 1)..]);
        return true;
    }

    public static SessionKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException($"'{text}' is not a session key (\"{{accountId}}{Separator}{{name}}\").");

    /// <summary>
    /// The name in a field that carries either a key or a bare name (queue contracts from before keys
    /// were everywhere): the name part of a key, or the text itself.
    /// </summary>
    public static string NameOf(string keyOrName)
    {
        ArgumentNullException.ThrowIfNull(keyOrName);
        return TryParse(keyOrName, out var key) ? key.Name : keyOrName;
    }
}
