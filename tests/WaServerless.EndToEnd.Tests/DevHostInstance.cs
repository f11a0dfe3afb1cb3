using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WaServerless.DevHost;
using WaServerless.TestKit;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// The devhost as ./run.sh starts it, on Kestrel at a free loopback port, on the shared Azurite
/// with a storage prefix of its own. Several instances can share one prefix, one after another,
/// which is how a restart is tested.
/// </summary>
public sealed class DevHostInstance : IAsyncDisposable
{
    private DevHostInstance(WebApplication app, HttpClient client, string apiKey, string prefix, RecentLog log)
    {
        App = app;
        Log = log;
        Client = client;
        ApiKey = apiKey;
        Prefix = prefix;
    }

    public const string AdminKey = "test-admin-credential-0123456789";

    public WebApplication App { get; }

    public HttpClient Client { get; }

    public string ApiKey { get; }

    public string Prefix { get; }

    /// <summary>The host's last warnings and errors, one line each: what a failing test can show.</summary>
    public RecentLog Log { get; }

    public T Service<T>()
        where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>The settings every test devhost runs with: fast timers, a test admin key, loopback webhooks.</summary>
    public static Dictionary<string, string?> Settings(string storageConnectionString, string prefix, string demoKeyFile) => new()
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Storage:ConnectionString"] = storageConnectionString,
            ["Storage:NamePrefix"] = prefix,
            // One Azurite serves every test at once on two cores and can be seconds late: tests wait for
            // it instead of answering 503. The tests that pin the production timeouts set them again.
            ["Storage:NetworkTimeout"] = "00:00:10",
            ["Api:RequestDeadline"] = "00:00:45",
            ["DevHost:DemoKeyFile"] = demoKeyFile,
            ["Messages:OutboxSweepSchedule"] = "00:00:00.250",
            ["Connector:PollInterval"] = "00:00:00.050",
            ["Workflows:RetryInitialDelay"] = "00:00:00.200",
            ["Workflows:RetryMaxDelay"] = "00:00:01",
            ["Sandbox:DeliveredAfter"] = "00:00:00.100",
            ["Sandbox:ReadAfter"] = "00:00:00.100",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Limits:DefaultRecipientGap"] = "00:00:00",
            ["Sandbox:AutoPairAfter"] = "00:00:00",
            ["Connector:SessionScanInterval"] = "00:00:00.100",
            ["Connector:LeaseDuration"] = "00:00:15",
            ["Connector:LeaseRenewInterval"] = "00:00:05",
            ["Connector:LivenessInterval"] = "00:00:00.500",
            ["Connector:QrMinInterval"] = "00:00:00",
            ["Connector:SessionReconcileInterval"] = "00:00:00.200",
            ["Connector:SessionTick"] = "00:00:00.100",
            ["Connector:ReconnectInitialDelay"] = "00:00:00.200",
            ["Connector:ReconnectMaxDelay"] = "00:00:01",
            // A test that holds a session down (refused connects) must not see it give up as failed while a
            // loaded machine runs its next steps: giving up is pinned by the connector's own tests.
            ["Connector:MaxReconnectAttempts"] = "1000",
            ["Connector:DisconnectedRetryDelay"] = "00:00:00.500",
            ["Connector:SendInterval"] = "00:00:00",
            ["Admin:ApiKey"] = AdminKey,
            // Webhooks: a fixed test key, and receivers on loopback http (never a default outside tests and the local stack).
            ["Webhooks:EncryptionKey"] = Convert.ToBase64String(new byte[32]),
            ["Webhooks:AllowLocalTargets"] = "true",
            ["Webhooks:SweepSchedule"] = "00:00:00.200",
            ["Webhooks:RetryInitialDelay"] = "00:00:00.200",
            ["Webhooks:RetryMaxDelay"] = "00:00:01",
        };

    public static async Task<DevHostInstance> StartAsync(string? prefix = null, Dictionary<string, string?>? settings = null, string? demoKeyFile = null)
    {
        var azurite = await Azurite.Shared;
        prefix ??= Azurite.NewPrefix();
        var config = Settings(azurite.ConnectionString, prefix, demoKeyFile ?? Path.Combine(Path.GetTempPath(), prefix, "demo-key.txt"));
        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        // Not to the console: nobody reads the test process's stdout, and an outage's flood of logged
        // exceptions written to a pipe that drains slowly can hold the host's threads.
        var log = new RecentLog();
        var app = DevHostApplication.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(config);
            b.Logging.ClearProviders();
            b.Logging.AddProvider(log);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var apiKey = app.Services.GetRequiredService<DemoAccountSeeder>().DemoKey!;
        var client = new HttpClient { BaseAddress = new Uri(address + "/") };
        var instance = new DevHostInstance(app, client, apiKey, prefix, log);
        if (config.GetValueOrDefault("Connector:Enabled") != "false" && config.GetValueOrDefault("DevHost:WaitForDemoSession") != "false")
        {
            // A host starting while the suite loads both cores can take longer than a test's usual wait.
            await instance.WaitForSessionAsync(instance.ApiKey, "default", "connected", TimeSpan.FromSeconds(90));
        }

        return instance;
    }

    public Task<JsonElement> WaitForSessionAsync(string apiKey, string sessionId, string state, TimeSpan? timeout = null) =>
        Eventually.MatchesAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "api/sessions/" + sessionId);
                request.Headers.Add("X-API-Key", apiKey);
                using var response = await Client.SendAsync(request);
                var body = await ReadAsync(response);
                return body.ValueKind == JsonValueKind.Object && body.TryGetProperty("data", out var data) ? data : body;
            },
            s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("state", out var st) && st.GetString() == state,
            timeout ?? TimeSpan.FromSeconds(30),
            $"session {sessionId} to be {state}");

    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-API-Key", ApiKey);
        return request;
    }

    public async Task<(int Status, JsonElement Body)> SendJsonAsync(object body)
    {
        using var response = await Client.SendAsync(Request(HttpMethod.Post, "api/send", JsonContent.Create(body)));
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    /// <summary>
    /// GET /api/messages/{queueId}. The shared Azurite can stall for longer than a storage timeout
    /// while the suite loads the machine; a 503 (with Retry-After) is asked again a few times, as a
    /// client would, so that a test reads the answer rather than the stall.
    /// </summary>
    public async Task<JsonElement> GetMessageAsync(string queueId) =>
        (await SendAskingAgainAsync(() => Request(HttpMethod.Get, "api/messages/" + queueId))).Body;

    /// <summary>
    /// A request sent again (five times at most, a second apart) while it answers 503: a storage call
    /// that timed out on the shared Azurite of a loaded machine, not yet an answer.
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAskingAgainAsync(Func<HttpRequestMessage> request)
    {
        ArgumentNullException.ThrowIfNull(request);
        for (var attempt = 1; ; attempt++)
        {
            using var message = request();
            using var response = await Client.SendAsync(message);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                return (response.StatusCode, await ReadAsync(response));
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    public Task<JsonElement> WaitForStatusAsync(string queueId, string status, TimeSpan? timeout = null) =>
        Eventually.MatchesAsync(
            () => GetMessageAsync(queueId),
            // A 503 from a storage call that timed out on the shared machine is not an answer yet: ask again.
            m => m.TryGetProperty("data", out var data) && data.GetProperty("status").GetString() == status,
            timeout ?? TimeSpan.FromSeconds(30),
            $"{queueId} to be {status}");

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public static class AuthHeaders
{
    public static AuthenticationHeaderValue Bearer(string key) => new("Bearer", key);
}
