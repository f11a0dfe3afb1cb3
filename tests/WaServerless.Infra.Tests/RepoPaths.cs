namespace WaServerless.Infra.Tests;

/// <summary>Finds the repository root from the test assembly's folder.</summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding WaServerless.sln (or .slnx); before that exists, the folder holding bicep/main.bicep.</summary>
    public static string Root => LazyRoot.Value;

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        DirectoryInfo? bicepHolder = null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WaServerless.sln"))
                || File.Exists(Path.Combine(dir.FullName, "WaServerless.slnx")))
            {
                return dir.FullName;
            }

            if (bicepHolder is null && File.Exists(Path.Combine(dir.FullName, "bicep", "main.bicep")))
            {
                bicepHolder = dir;
            }
        }

        return bicepHolder?.FullName
            ?? throw new InvalidOperationException(
                $"No folder above {AppContext.BaseDirectory} holds WaServerless.sln or bicep/main.bicep.");
    }
}
