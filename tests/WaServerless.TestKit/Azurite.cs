using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.TestKit;

/// <summary>
/// One Azurite per test process, started on free loopback ports with in-memory persistence from
/// the repository's pinned npm package (npm ci installs it). Tests isolate themselves with a fresh
/// <see cref="StorageOptions.NamePrefix"/> instead of a server each.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    // Azurite's documented development account; it opens nothing but this local emulator.
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<Azurite>> SharedInstance = new(() => StartAsync(location: null));
    private readonly int[] _ports;
    private readonly string? _location;
    private Process _process;

    private Azurite(Process process, int[] ports, string? location)
    {
        _process = process;
        _ports = ports;
        _location = location;
        var (blobPort, queuePort, tablePort) = (ports[0], ports[1], ports[2]);
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DevAccountKey + ";" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static Task<Azurite> Shared => SharedInstance.Value;

    /// <summary>
    /// An Azurite of the caller's own that keeps its data on disk. It can be stopped and started again
    /// on the same ports with nothing lost, which a storage outage test needs. It also suits a test
    /// that puts thousands of messages through a queue. Once a minute Azurite's queue GC deletes the
    /// bodies of the messages gone since, each deletion a scan of all of them. In memory it does them
    /// all without letting a request in: 5,700 took 42 s, and every test on that Azurite waited. On
    /// disk each deletion awaits the file system, so requests go on in between. Dispose it.
    /// </summary>
    public static Task<Azurite> StartOwnAsync() => StartAsync(Directory.CreateTempSubdirectory("azurite-data-").FullName);

    /// <summary>Stops an own Azurite the way an operator would (SIGTERM, so it saves its data) and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_location is null)
        {
            throw new InvalidOperationException("The shared Azurite keeps its data in memory: stopping it would lose every test's data.");
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _process.WaitForExitAsync(patience.Token);
    }

    /// <summary>Starts a stopped own Azurite again on the same ports and data.</summary>
    public async Task RestartAsync()
    {
        if (_location is null || !_process.HasExited)
        {
            throw new InvalidOperationException("Only an own Azurite that was stopped can be started again.");
        }

        _process.Dispose();
        _process = await LaunchAsync(_ports, _location);
    }
    /// <summary>A name prefix no other test uses, so tables, queues and containers are this test's own.</summary>
    public static string NewPrefix() => "t" + RandomNumberGenerator.GetHexString(10, lowercase: true);

    public StorageOptions Options(string? prefix = null) => new() { ConnectionString = ConnectionString, NamePrefix = prefix ?? NewPrefix() };

    public StorageClients Clients(string? prefix = null) => new(Microsoft.Extensions.Options.Options.Create(Options(prefix)));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (_location is not null)
        {
            Directory.Delete(_location, recursive: true);
        }
    }

    // Free ports are picked, then bound by Azurite a moment later: another process (a parallel test
    // project's Azurite) can take one in between, and Azurite then exits. New ports, try again.
    private static async Task<Azurite> StartAsync(string? location)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                int[] ports = [LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free()];
                return new Azurite(await LaunchAsync(ports, location), ports, location);
            }
            catch (AzuriteExitedException) when (attempt < 3)
            {
            }
        }
    }

    /// <param name="location">Where data is kept on disk; null keeps it in memory.</param>
    private static async Task<Process> LaunchAsync(int[] ports, string? location)
    {
        var root = RepositoryRoot.Find();
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed at {script}. Run 'npm ci' in {root} (./test.sh does).");
        }

        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--silent", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry",
                "--blobHost", "127.0.0.1", "--blobPort", ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            // Azurite writes its debug log and extent files under the working directory.
            WorkingDirectory = Directory.CreateTempSubdirectory("azurite-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (location is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(location);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Already stopped and disposed (an own Azurite that was restarted).
            }
        };

        var deadline = DateTime.UtcNow.AddSeconds(30);
        foreach (var port in ports)
        {
            while (!await IsListeningAsync(port))
            {
                if (process.HasExited)
                {
                    throw new AzuriteExitedException($"Azurite exited before it listened on port {port}.");
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Azurite did not listen on port {port} within 30 s.");
                }

                await Task.Delay(100);
            }
        }

        return process;
    }


    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

public static class RepositoryRoot
{
    public static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WaServerless.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("WaServerless.sln not found above " + AppContext.BaseDirectory);
    }
}

internal sealed class AzuriteExitedException(string message) : InvalidOperationException(message);
