using System.Diagnostics;
using System.Text.Json;
using WaServerless.TestKit;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// The devhost as a process of its own (the built WaServerless.DevHost.dll next to these tests), on
/// the shared Azurite with the test settings: what a kill -9 can be tried on. Ready once it prints
/// "Demo API key:", which it does when the demo session can send.
/// </summary>
public sealed class DevHostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private readonly LineTail _output;

    private DevHostProcess(Process process, LineTail output, HttpClient client, string apiKey)
    {
        _process = process;
        _output = output;
        Client = client;
        ApiKey = apiKey;
    }

    public HttpClient Client { get; }

    public string ApiKey { get; }

    /// <summary>The last lines the devhost printed, each with the time it was read, for a failure message.</summary>
    public string Output => Describe(_output);

    private static string Describe(LineTail output) => Environment.NewLine + "Devhost output (last lines):" + Environment.NewLine + output;

    public static async Task<DevHostProcess> StartAsync(string prefix, string demoKeyFile, Dictionary<string, string?>? settings = null)
    {
        var azurite = await Azurite.Shared;
        var port = LoopbackPorts.Free();
        var config = DevHostInstance.Settings(azurite.ConnectionString, prefix, demoKeyFile);
        config["Urls"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in settings ?? [])
        {
            config[key] = value;
        }

        // The project's own events too, not only warnings: what a failing test shows (Output) to explain itself.
        config["Logging:LogLevel:WaServerless"] = "Information";
        var log = Environment.GetEnvironmentVariable("WASERVERLESS_DEVHOST_LOG") is { Length: > 0 } dir ? Path.Combine(dir, $"devhost-{prefix}-{port}.log") : null;

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "WaServerless.DevHost.dll"));
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(AppContext.BaseDirectory);
        foreach (var (key, value) in config)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start)!;
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new LineTail();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            var line = output.Add(e.Data);
            if (log is not null)
            {
                File.AppendAllText(log, line + Environment.NewLine);
            }

            if (e.Data.StartsWith("Demo API key: ", StringComparison.Ordinal))
            {
                ready.TrySetResult(e.Data["Demo API key: ".Length..].Trim());
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        if (first != ready.Task)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException((first == exited ? $"The devhost exited with {process.ExitCode} before it was ready." : "The devhost was not ready within 90 s.") + Describe(output));
        }

        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        return new DevHostProcess(process, output, client, await ready.Task);
    }

    /// <summary>SIGKILL: no shutdown code runs, leases and locks are left as they were.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-API-Key", ApiKey);
        return request;
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Client.SendAsync(Request(HttpMethod.Get, path));
        return await DevHostInstance.ReadAsync(response);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
