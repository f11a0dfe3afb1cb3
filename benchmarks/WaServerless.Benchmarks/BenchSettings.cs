using System.Globalization;

namespace WaServerless.Benchmarks;

/// <summary>The command line: how many sessions, how long each idle period and settle lasts, where the report goes.</summary>
internal sealed record BenchSettings(int Sessions, TimeSpan Idle, TimeSpan Settle, string Output, TimeSpan ApiDuration, TimeSpan ThroughputDuration, int ConnectorMessages)
{
    public const string Usage =
        """
        Usage: WaServerless.Benchmarks [--sessions N] [--idle SECONDS] [--settle SECONDS] [--api SECONDS] [--throughput SECONDS] [--connector MESSAGES] [--output FILE]
          --sessions  sessions to create and keep connected, 1 to 1000 (default 100)
          --idle      length of each idle measurement, baseline and loaded, 10 to 600 s (default 60)
          --settle    wait before each measurement, 0 to 60 s (default 5)
          --api       length of each steady-rate run of POST /api/send (20/s and 40/s), 0 to skip, up to 300 s (default 20)
          --throughput length of each closed-loop run at 1, 8, 32 and 64 clients (raw storage, then the API), 0 to skip, up to 120 s (default 10)
          --connector messages one connector drains across 50 sessions (a campaign of half as many follows), 0 to skip, up to 20000 (default 2000)
          --output    the Markdown report (default docs/benchmarks.md in the repository)
        """;

    public static BenchSettings Parse(IReadOnlyList<string> args, string repositoryRoot)
    {
        var sessions = 100;
        var idle = 60;
        var settle = 5;
        var api = 20;
        var throughput = 10;
        var connector = 2000;
        var output = Path.Combine(repositoryRoot, "docs", "benchmarks.md");
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--sessions":
                    sessions = Number(name, value, 1, 1000);
                    break;
                case "--idle":
                    idle = Number(name, value, 10, 600);
                    break;
                case "--settle":
                    settle = Number(name, value, 0, 60);
                    break;
                case "--api":
                    api = Number(name, value, 0, 300);
                    break;
                case "--throughput":
                    throughput = Number(name, value, 0, 120);
                    break;
                case "--connector":
                    connector = Number(name, value, 0, 20000);
                    break;
                case "--output":
                    output = Path.GetFullPath(value);
                    break;
                default:
                    throw new ArgumentException($"Unknown option {name}.");
            }
        }

        return new BenchSettings(sessions, TimeSpan.FromSeconds(idle), TimeSpan.FromSeconds(settle), output, TimeSpan.FromSeconds(api), TimeSpan.FromSeconds(throughput), connector);
    }

    private static int Number(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new ArgumentException($"{name} must be a whole number from {min} to {max}, not '{value}'.");
}
