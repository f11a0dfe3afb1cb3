using WaServerless.Core.Engines;

namespace WaServerless.Connector.Sessions;

/// <summary>
/// One engine this connector can run sessions on: how it sends and how it keeps a session.
/// <paramref name="Address"/> is set for an engine whose sessions all speak as one identity (the
/// Cloud API's business number): only one session may hold it.
/// </summary>
internal sealed record EngineRegistration(string Name, IWhatsAppEngine Sender, IWhatsAppSessionEngine Sessions, string? Address = null);

/// <summary>
/// The engines of this connector, by name. A session runs on the engine it was created with; a
/// session stored without one (created before engines were chosen per session) runs on the default.
/// </summary>
internal sealed class EngineCatalog
{
    private readonly Dictionary<string, EngineRegistration> _byName;

    public EngineCatalog(IEnumerable<EngineRegistration> engines, string defaultEngine)
    {
        _byName = engines.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);
        DefaultEngine = EngineNames.Normalize(defaultEngine) ?? defaultEngine;
        if (!_byName.ContainsKey(DefaultEngine))
        {
            throw new ArgumentException($"The default engine '{defaultEngine}' is not registered.", nameof(defaultEngine));
        }
    }

    public string DefaultEngine { get; }

    public IReadOnlyCollection<string> Names => _byName.Keys;

    /// <summary>The engine named <paramref name="name"/> (null: the default), or null when this connector does not have it.</summary>
    public EngineRegistration? Find(string? name) =>
        _byName.TryGetValue(name ?? DefaultEngine, out var engine) ? engine : null;
}
