using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Media;
using WaServerless.TestKit;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace WaServerless.Engines.Waha.Tests;

/// <summary>
/// The WAHA engine wired through AddWahaEngine as a host would, against a <see cref="WahaStandIn"/>;
/// WAHA's webhooks land on a recording receiver (the connector's endpoint is tested end to end).
/// </summary>
public sealed class WahaHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public WahaHarness(Dictionary<string, string?>? settings = null)
    {
        Waha = new WahaStandIn(LoopbackPorts.Free());
        Receiver = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{LoopbackPorts.Free()}"] });
        Receiver.Given(Request.Create().WithPath(new RegexMatcher("^/webhooks/waha/.*$")).UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        var values = new Dictionary<string, string?>
        {
            ["Waha:BaseUrl"] = Waha.Url.AbsoluteUri,
            ["Waha:ApiKey"] = WahaStandIn.ApiKey,
            ["Waha:WebhookBaseUrl"] = Receiver.Url,
            ["Waha:StatusPollInterval"] = "00:00:00.100",
            ["Waha:RequestTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging();
        services.AddSingleton<IEngineEventSink>(Sink);
        services.AddSingleton<IMediaFetcher>(Media);
        services.AddWahaEngine();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>Settings that point the engine at a loopback port nothing listens on: WAHA down.</summary>
    public static Dictionary<string, string?> NothingListening => new() { ["Waha:BaseUrl"] = $"http://127.0.0.1:{LoopbackPorts.Free()}/" };

    public WahaStandIn Waha { get; }

    public WireMockServer Receiver { get; }

    public RecordingSink Sink { get; } = new();

    public FixedMediaFetcher Media { get; } = new();

    public WahaClient Client => _services.GetRequiredService<WahaClient>();

    public WahaEngine Engine => _services.GetRequiredService<WahaEngine>();

    public WahaSessionEngine Sessions => _services.GetRequiredService<WahaSessionEngine>();

    public Task<EngineSendResult> SendAsync(Core.Messages.MessageContent content, string recipient = "+14155550100", string session = SessionKey, long? maxMediaBytes = null) =>
        Engine.SendAsync(new EngineSendRequest(session, "msg_1", recipient, content, MaxMediaBytes: maxMediaBytes), CancellationToken.None);

    public const string SessionKey = "acct1~default";

    public static string SessionName => WahaSessionNames.Of(SessionKey);

    /// <summary>Connects the session and scans it: WORKING as +15550001111, as the engine has reported.</summary>
    public async Task ConnectWorkingAsync(string key = SessionKey)
    {
        await Sessions.ConnectAsync(key, null, CancellationToken.None);
        await Sink.WaitForAsync<QrCodeIssued>(q => q.SessionId == key);
        await Waha.ScanAsync(WahaSessionNames.Of(key), "15550001111");
        await Sink.WaitForAsync<SessionConnected>(c => c.SessionId == key);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        Waha.Dispose();
        Receiver.Stop();
        Receiver.Dispose();
    }
}

/// <summary>Everything the engine reported, in order.</summary>
public sealed class RecordingSink : IEngineEventSink
{
    private readonly ConcurrentQueue<EngineEvent> _events = new();

    public IReadOnlyList<EngineEvent> Events => [.. _events];

    public Task OnEventAsync(EngineEvent engineEvent, CancellationToken cancellationToken)
    {
        _events.Enqueue(engineEvent);
        return Task.CompletedTask;
    }

    public Task<T> WaitForAsync<T>(Func<T, bool>? match = null, string? what = null)
        where T : EngineEvent =>
        Eventually.MatchesAsync(
            () => Task.FromResult(Events.OfType<T>().FirstOrDefault(e => match?.Invoke(e) ?? true)),
            e => e is not null,
            TimeSpan.FromSeconds(15),
            what ?? typeof(T).Name)!;
}

/// <summary>
/// Our own media port (not an SDK) answering with fixed bytes, so send contracts can be checked
/// byte for byte; the connector's real fetcher is tested against loopback servers in the connector's tests.
/// </summary>
public sealed class FixedMediaFetcher : IMediaFetcher
{
    public byte[] Content { get; set; } = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4];

    public string ContentType { get; set; } = "image/jpeg";

    public string? FileName { get; set; } = "photo.jpg";

    public MediaFetchException? Failure { get; set; }

    public ConcurrentQueue<(Uri Url, MediaKind Kind, long? MaxBytes)> Fetches { get; } = new();

    public Task<FetchedMedia> FetchAsync(Uri url, MediaKind kind, long? maxBytes, CancellationToken cancellationToken)
    {
        Fetches.Enqueue((url, kind, maxBytes));
        return Failure is { } failure ? Task.FromException<FetchedMedia>(failure) : Task.FromResult(new FetchedMedia(Content, ContentType, FileName));
    }
}
