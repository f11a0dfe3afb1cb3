namespace WaServerless.Core.Sessions;

/// <summary>Where a WhatsApp session is. Every change is stored and published as an event.</summary>
public enum SessionState
{
    Created,
    Pairing,
    Connected,
    Disconnected,
    LoggedOut,
    Failed,
}

/// <summary>What the session's owner wants it to be; the connector that holds its lease makes it so.</summary>
public enum SessionDesire
{
    Active,
    LoggedOut,
    Deleted,
}

public static class SessionStateNames
{
    public static string ToWire(this SessionState state) => state switch
    {
        SessionState.LoggedOut => "logged_out",
        _ => state.ToString().ToLowerInvariant(),
    };

    public static bool TryParse(string? value, out SessionState state)
    {
        foreach (var candidate in Enum.GetValues<SessionState>())
        {
            if (string.Equals(candidate.ToWire(), value, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }
}
