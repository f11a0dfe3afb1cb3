using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace WaServerless.Benchmarks;

/// <summary>The machine and software a run happened on, as the report states them.</summary>
internal sealed record MachineInfo(
    string CpuModel,
    int LogicalCores,
    string Memory,
    string OperatingSystem,
    string Dotnet,
    string GarbageCollector,
    string Node,
    string Azurite,
    string Commit)
{
    public static MachineInfo Collect(string repositoryRoot) => new(
        ReadCpuModel(),
        Environment.ProcessorCount,
        ReadMemory(),
        OperatingSystemName(),
        $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier}), Release build",
        GarbageCollectorMode(),
        Run("node", "--version") ?? "unknown",
        AzuriteVersion(repositoryRoot),
        ReadCommit(repositoryRoot));

    private static string ReadCpuModel()
    {
        var models = ReadLines("/proc/cpuinfo")
            .Where(line => line.StartsWith("model name", StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .ToList();
        return models.Count == 0 ? "unknown (no /proc/cpuinfo model name)" : string.Join(", ", models.GroupBy(m => m).Select(g => $"{g.Count()} x {g.Key}"));
    }

    private static string ReadMemory()
    {
        var total = ReadLines("/proc/meminfo").FirstOrDefault(line => line.StartsWith("MemTotal:", StringComparison.Ordinal));
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var text = total is null
            ? "unknown"
            : string.Create(CultureInfo.InvariantCulture, $"{long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0:0.0} GiB (MemTotal)");
        return string.Create(CultureInfo.InvariantCulture, $"{text}; {available / 1024.0 / 1024.0 / 1024.0:0.0} GiB available to the GC");
    }

    private static string OperatingSystemName()
    {
        var pretty = ReadLines("/etc/os-release").FirstOrDefault(line => line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
        var name = pretty is null ? RuntimeInformation.OSDescription : pretty["PRETTY_NAME=".Length..].Trim('"');
        return $"{name}; kernel {Environment.OSVersion.Version} ({RuntimeInformation.OSArchitecture})";
    }

    private static string GarbageCollectorMode()
    {
        var mode = GCSettings.IsServerGC ? "Server" : "Workstation";
        var variables = GC.GetConfigurationVariables();
        var heaps = variables.TryGetValue("HeapCount", out var count) ? $", {count} heap(s) at start" : string.Empty;
        var datas = variables.TryGetValue("GCDynamicAdaptationMode", out var dynamic) ? $", dynamic adaptation (DATAS) mode {dynamic}" : string.Empty;
        return $"{mode} GC, {(GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent")}{heaps}{datas}";
    }

    private static string AzuriteVersion(string repositoryRoot)
    {
        try
        {
            using var package = JsonDocument.Parse(File.ReadAllText(Path.Combine(repositoryRoot, "node_modules", "azurite", "package.json")));
            return package.RootElement.GetProperty("version").GetString() ?? "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (JsonException)
        {
            return "unknown";
        }
    }

    private static string ReadCommit(string repositoryRoot)
    {
        var head = Run("git", "-C", repositoryRoot, "rev-parse", "--short", "HEAD");
        if (head is null)
        {
            return "unknown";
        }

        var status = Run("git", "-C", repositoryRoot, "status", "--porcelain", "--untracked-files=no");
        return string.IsNullOrEmpty(status) ? head : head + " with uncommitted changes";
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];

    private static string? Run(string file, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            return process.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
