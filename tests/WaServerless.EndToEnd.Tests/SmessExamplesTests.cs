using System.Text.RegularExpressions;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// SMESS's own documentation, tried as a new user would: every curl example of its send page, run
/// with curl against the devhost (its host and placeholder key swapped for ours), answers as the
/// page says: 202 for each message type, 401 for the example it marks as wrong.
/// </summary>
public sealed partial class SmessExamplesTests(DevHostFixture fixture) : IClassFixture<DevHostFixture>
{
    private static List<string> Examples() =>
        [.. File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "smess-send-examples.txt"))
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(block => block.StartsWith("curl ", StringComparison.Ordinal))];

    [Fact]
    public async Task Every_send_example_of_the_smess_page_answers_as_the_page_says()
    {
        var examples = Examples();
        Assert.True(examples.Count >= 9, "the page shows a send for each message type and one wrong request");
        var host = fixture.Host;
        var workDir = Directory.CreateTempSubdirectory("smess-").FullName;

        for (var i = 0; i < examples.Count; i++)
        {
            var command = examples[i]
                .Replace("https://www.smess.io/", host.Client.BaseAddress!.AbsoluteUri, StringComparison.Ordinal)
                .Replace(Placeholder().Match(examples[i]).Value is { Length: > 0 } placeholder ? placeholder : "\u0000", host.ApiKey, StringComparison.Ordinal);
            var (status, body) = await ReadmeExamplesTests.RunAsync(workDir, command + " -sS -w '\\n%{http_code}'");

            var expected = i == examples.Count - 1 ? 401 : 202; // the page's last example is the one it calls wrong
            Assert.True(status == expected, $"{examples[i]}\nanswered {status}: {body}");
        }
    }

    [GeneratedRegex("SM-X{32}")]
    private static partial Regex Placeholder();
}
