using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using WaServerless.DevHost;

namespace WaServerless.Benchmarks;

/// <summary>
/// The devhost in this process on the benchmark's Azurite, with pacing and the recipient gap off and
/// the demo account's limits raised so that the limits are not what is measured; a client with the
/// demo key. Starting it again with the same prefix finds the same account, key and messages.
/// </summary>
internal sealed class BenchDevHost : IAsyncDisposable
{
    private readonly SocketsHttpHandler _handler;

    private BenchDevHost(WebApplication app, SocketsHttpHandler handler, HttpClient http, string key)
    {
        App = app;
        _handler = handler;
        Http = http;
        Key = key;
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    /// <summary>The demo account's API key.</summary>
    public string Key { get; }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    public static async Task<BenchDevHost> StartAsync(AzuriteProcess azurite, string prefix, IReadOnlyDictionary<string, string?>? overrides, CancellationToken cancellationToken)
    {
        var config = new Dictionary<string, string?>
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Storage:ConnectionString"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = prefix,
            ["DevHost:DemoKeyFile"] = Path.Combine(Path.GetTempPath(), "waserverless-bench-" + prefix, "demo-key.txt"),
            ["Connector:SendInterval"] = "00:00:00",
            ["Limits:DefaultRecipientGap"] = "00:00:00",
            ["Plans:growth:SubmissionsPerMinute"] = "10000000",
            ["Plans:growth:MonthlyQuota"] = "1000000000",
            ["Sandbox:AutoPairAfter"] = "00:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            config[name] = value;
        }

        var app = DevHostApplication.Build([], b => b.Configuration.AddInMemoryCollection(config));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        var http = new HttpClient(handler) { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromMinutes(2) };
        return new BenchDevHost(app, handler, http, app.Services.GetRequiredService<DemoAccountSeeder>().DemoKey!);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, object? json = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = json is null ? null : JsonContent.Create(json) };
        request.Headers.Add("X-API-Key", Key);
        return request;
    }

    /// <summary>The answer's status and its JSON body (default when there is none).</summary>
    public async Task<(int Status, JsonElement Body)> CallAsync(HttpMethod method, string path, object? json, CancellationToken cancellationToken)
    {
        using var request = Request(method, path, json);
        using var response = await Http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Waits until the session is connected (the Sandbox pairs at once), up to a minute.</summary>
    public async Task WaitForSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 600; i++)
        {
            var (_, body) = await CallAsync(HttpMethod.Get, "api/sessions/" + sessionId, null, cancellationToken);
            if (body.ValueKind == JsonValueKind.Object && body.TryGetProperty("data", out var data) && data.TryGetProperty("state", out var state) && state.GetString() == "connected")
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"Session {sessionId} did not connect within a minute.");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _handler.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
