using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace WaServerless.Benchmarks;

/// <summary>
/// Azurite in memory on free loopback ports, from the repository's pinned npm package, started the
/// way the TestKit fixture starts it; kept here so the benchmark holds the node process and can
/// report its CPU apart from the connector's. Disposing it stops node.
/// </summary>
internal sealed class AzuriteProcess : IAsyncDisposable
{
    // Azurite's documented development account; it opens nothing but this local emulator.
    private const string DevAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _workingDirectory;

    private AzuriteProcess(Process process, string workingDirectory, int blobPort, int queuePort, int tablePort)
    {
        Process = process;
        _workingDirectory = workingDirectory;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
        ConnectionString =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DevAccountKey + ";" +
            $"BlobEndpoint=http://127.0.0.1:{Port(blobPort)}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{Port(queuePort)}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{Port(tablePort)}/devstoreaccount1;";
    }

    public Process Process { get; }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public string ConnectionString { get; }

    public static async Task<AzuriteProcess> StartAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var script = Path.Combine(repositoryRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"Azurite is not installed at {script}. Run 'npm ci' in {repositoryRoot} (./bench.sh does).");
        }

        int[] ports = [FreePort(), FreePort(), FreePort()];
        // Azurite writes its debug log and extent files under the working directory.
        var workingDirectory = Directory.CreateTempSubdirectory("azurite-bench-").FullName;
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableProductStyleUrl", "--disableTelemetry",
                "--blobHost", "127.0.0.1", "--blobPort", Port(ports[0]),
                "--queueHost", "127.0.0.1", "--queuePort", Port(ports[1]),
                "--tableHost", "127.0.0.1", "--tablePort", Port(ports[2]),
            },
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteProcess(process, workingDirectory, ports[0], ports[1], ports[2]);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => azurite.Kill();

        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            foreach (var port in ports)
            {
                while (!await IsListeningAsync(port, cancellationToken))
                {
                    if (process.HasExited || DateTime.UtcNow > deadline)
                    {
                        throw new InvalidOperationException($"Azurite did not listen on port {port} (exited: {process.HasExited}).");
                    }

                    await Task.Delay(100, cancellationToken);
                }
            }
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Process.WaitForExitAsync();
        Process.Dispose();
        try
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Kill()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
