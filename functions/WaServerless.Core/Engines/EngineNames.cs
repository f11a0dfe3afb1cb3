namespace WaServerless.Core.Engines;

/// <summary>The engines a session can be created with, by the name clients pass as "engine".</summary>
public static class EngineNames
{
    /// <summary>The simulated WhatsApp: local runs, tests, demos.</summary>
    public const string Sandbox = "sandbox";

    /// <summary>Meta's WhatsApp Business Cloud API.</summary>
    public const string CloudApi = "cloudapi";

    /// <summary>A WhatsApp account linked by QR or pair code, through a WAHA sidecar (WhatsApp Web, whatsmeow underneath).</summary>
    public const string Waha = "waha";

    public static IReadOnlyList<string> All { get; } = [Sandbox, CloudApi, Waha];

    /// <summary>The canonical name for <paramref name="value"/> (case and "cloud_api" spelling forgiven), or null when it is no engine.</summary>
    public static string? Normalize(string? value)
    {
        var compact = value?.Trim().Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return All.FirstOrDefault(n => string.Equals(n, compact, StringComparison.OrdinalIgnoreCase));
    }
}
