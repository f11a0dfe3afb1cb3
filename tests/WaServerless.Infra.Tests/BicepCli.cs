using System.Reflection;
using System.Text.RegularExpressions;

namespace WaServerless.Infra.Tests;

/// <summary>Runs the Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 NuGet package.</summary>
internal static partial class BicepCli
{
    private static readonly Lazy<string> LazyExecutable = new(Locate);

    public static string Executable => LazyExecutable.Value;

    public static ProcessResult Run(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
        => ProcessRunner.Run(Executable, arguments, environment);

    /// <summary>The warning and error lines of a bicep run ("file(line,col) : Warning rule: text").</summary>
    public static IReadOnlyList<string> Diagnostics(ProcessResult result)
        => [.. result.Output.Split('\n').Select(line => line.Trim()).Where(line => DiagnosticLine().IsMatch(line))];

    private static string Locate()
    {
        var candidates = new List<string>();
        var fromEnvironment = Environment.GetEnvironmentVariable("BICEP_PATH");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            candidates.Add(fromEnvironment);
        }

        var fromBuild = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "BicepExecutable")?.Value;
        if (!string.IsNullOrWhiteSpace(fromBuild))
        {
            candidates.Add(fromBuild);
        }

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrWhiteSpace(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        var packageFolder = Path.Combine(packages, "azure.bicep.commandline.linux-x64");
        if (Directory.Exists(packageFolder))
        {
            candidates.AddRange(Directory.GetDirectories(packageFolder)
                .OrderByDescending(folder => Version.TryParse(Path.GetFileName(folder), out var version) ? version : new Version())
                .Select(folder => Path.Combine(folder, "tools", "bicep")));
        }

        var found = candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                "The Bicep CLI was not found. Restore the test project (it references Azure.Bicep.CommandLine.linux-x64) "
                + "or set BICEP_PATH. Looked at: " + string.Join(", ", candidates));
        EnsureExecutable(found);
        return found;
    }

    // NuGet extracts files without their executable bit on some systems.
    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
    }

    [GeneratedRegex(@"\(\d+,\d+\) : (Error|Warning) ")]
    private static partial Regex DiagnosticLine();
}
