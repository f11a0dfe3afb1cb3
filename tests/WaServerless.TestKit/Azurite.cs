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

    private static readonly Lazy<Task<Azurite>> SharedInstance = new(StartAsync);
    private readonly Process _process;

    private Azurite(Process process, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DevAccountKey + ";" +
            $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static Task<Azurite> Shared => SharedInstance.Value;

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
    }

    // Free ports are picked, then bound by Azurite a moment later: another process (a parallel test
    // project's Azurite) can take one in between, and Azurite then exits. New ports, try again.
    private static async Task<Azurite> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync();
            }
            catch (AzuriteExitedException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task<Azurite> StartOnceAsync()
    {
        var root = RepositoryRoot.Find();
        var script = Path.Combine(root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed at {script}. Run 'npm ci' in {root} (./test.sh does).");
        }

        int[] ports = [LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free()];
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry",
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
        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(process, ports[0], ports[1], ports[2]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
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

        return azurite;
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
