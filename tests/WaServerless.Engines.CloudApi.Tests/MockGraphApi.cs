using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WaServerless.Core.Engines;
using WireMock.Logging;
using WireMock.Server;
using WireMock.Settings;

namespace WaServerless.Engines.CloudApi.Tests;

/// <summary>
/// A WireMock.Net stand-in for graph.facebook.com on a free loopback port, and the engine wired to
/// it through AddCloudApiEngine, as a host would.
/// </summary>
public sealed class MockGraphApi : IDisposable
{
    public const string Version = "v23.0";
    public const string PhoneNumberId = "106540352242922";
    public const string AccessToken = "EAAtest-access-token";
    public const string AppSecret = "test-app-secret";
    public const string MessagesPath = $"/{Version}/{PhoneNumberId}/messages";

    private readonly ServiceProvider _services;

    public MockGraphApi(TimeSpan? requestTimeout = null, Uri? baseUrl = null, string basePath = "", Dictionary<string, string?>? settings = null)
    {
        Server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{FreePort()}"] });
        var values = new Dictionary<string, string?>
        {
            ["CloudApi:BaseUrl"] = (baseUrl ?? new Uri(Server.Url + basePath)).AbsoluteUri,
            ["CloudApi:GraphApiVersion"] = Version,
            ["CloudApi:PhoneNumberId"] = PhoneNumberId,
            ["CloudApi:AccessToken"] = AccessToken,
            ["CloudApi:AppSecret"] = AppSecret,
            ["CloudApi:CopyCodeTemplateName"] = "login_code",
            ["CloudApi:CopyCodeTemplateLanguage"] = "en_US",
            ["CloudApi:RequestTimeout"] = (requestTimeout ?? TimeSpan.FromSeconds(10)).ToString(),
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        _services = BuildServices(values, Time);
    }

    public WireMockServer Server { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public IWhatsAppEngine Engine => _services.GetRequiredService<IWhatsAppEngine>();

    public CloudApiHealthCheck HealthCheck => _services.GetRequiredService<CloudApiHealthCheck>();

    public CloudApiWebhook Webhook => _services.GetRequiredService<CloudApiWebhook>();

    /// <summary>The one request the server saw.</summary>
    public ILogEntry SingleRequest() => Assert.Single(Server.LogEntries);

    public JsonNode SingleRequestBody() => JsonNode.Parse(SingleRequest().RequestMessage.Body!)!;

    public static ServiceProvider BuildServices(Dictionary<string, string?> values, TimeProvider time)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(time);
        services.AddLogging();
        services.AddCloudApiEngine();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers every send (under <paramref name="pathPrefix"/>, for a proxied base URL) as Meta accepts one.</summary>
    public MockGraphApi AcceptSends(string pathPrefix = "")
    {
        Server
            .Given(WireMock.RequestBuilders.Request.Create().WithPath(pathPrefix + MessagesPath).UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create()
                .WithStatusCode(200)
                .WithHeader("Content-Type", "application/json")
                .WithBody(Fixture("responses", "message-accepted.json")));
        return this;
    }

    public static string Fixture(params string[] path) =>
        File.ReadAllText(Path.Combine([AppContext.BaseDirectory, "Fixtures", .. path]));

    public void Dispose()
    {
        _services.Dispose();
        Server.Stop();
        Server.Dispose();
    }
}
