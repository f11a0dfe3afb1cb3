using System.Net.Http.Json;
using System.Text.Json;
using WaServerless.TestKit;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// The devhost's orchestrations run on the real Durable Task engine, whose state lives in Azurite:
/// what was started before a kill -9 finishes after the next start.
/// </summary>
public sealed class EngineRestartTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static (string Prefix, string KeyFile) NewStack()
    {
        var prefix = Azurite.NewPrefix();
        return (prefix, Path.Combine(Path.GetTempPath(), prefix, "demo-key.txt"));
    }

    [Fact]
    public async Task A_campaign_started_before_a_kill_9_releases_the_rest_of_its_recipients_after_the_restart()
    {
        var (prefix, keyFile) = NewStack();
        var recipients = Enumerable.Range(0, 6).Select(i => $"+1415555{i + 7100:D4}").ToArray();
        string campaignId;
        string firstOutput;
        // One recipient per batch: the orchestration waits on a durable timer between releases.
        var oneByOne = new Dictionary<string, string?> { ["Workflows:CampaignBatchSize"] = "1" };
        await using (var first = await DevHostProcess.StartAsync(prefix, keyFile, oneByOne))
        {
            using var response = await first.Client.SendAsync(first.Request(HttpMethod.Post, "api/bulk", JsonContent.Create(new
            {
                name = "survives a kill",
                text = "Hello from a campaign",
                interval_seconds = 2,
                recipients,
            })));
            var created = await DevHostInstance.ReadAsync(response);
            Assert.Equal(202, (int)response.StatusCode);
            campaignId = created.GetProperty("data").GetProperty("campaign").GetProperty("id").GetString()!;
            var underway = await Eventually.MatchesAsync(
                () => first.GetAsync("api/bulk/" + campaignId),
                c => Progress(c, "released") >= 1,
                Patience,
                "the first release");
            await first.KillAsync();
            firstOutput = first.Output;
            Assert.InRange(Progress(underway, "released"), 1, 5); // killed in the middle, not after the end
        }

        await using var second = await DevHostProcess.StartAsync(prefix, keyFile, oneByOne);
        var done = await ExplainedAsync(
            Eventually.MatchesAsync(
                () => second.GetAsync("api/bulk/" + campaignId),
                c => c.TryGetProperty("data", out var data) && data.GetProperty("status").GetString() == "completed" && Progress(c, "sent") == 6,
                Patience,
                "the campaign to complete after the restart"),
            firstOutput,
            second);
        Assert.Equal(6, Progress(done, "released"));
        Assert.Equal(0, Progress(done, "failed"));
    }

    [Fact]
    public async Task A_retry_waiting_on_its_durable_timer_when_the_devhost_is_killed_goes_out_after_the_restart()
    {
        var (prefix, keyFile) = NewStack();
        var retryDelay = new Dictionary<string, string?> { ["Workflows:RetryInitialDelay"] = "00:00:04", ["Workflows:RetryMaxDelay"] = "00:00:04" };
        const string recipient = "+14155557200";
        string queueId;
        string firstOutput;
        await using (var first = await DevHostProcess.StartAsync(prefix, keyFile, retryDelay))
        {
            using (var fault = await first.Client.PutAsJsonAsync("sandbox/faults/" + recipient, new { kind = "transient", reason = "disconnected", times = 1 }))
            {
                Assert.Equal(204, (int)fault.StatusCode);
            }

            using var response = await first.Client.SendAsync(first.Request(HttpMethod.Post, "api/send", JsonContent.Create(new { recipient, text = "try again later" })));
            Assert.Equal(202, (int)response.StatusCode);
            queueId = (await DevHostInstance.ReadAsync(response)).GetProperty("data").GetProperty("queue_id").GetString()!;
            await Eventually.MatchesAsync(
                () => first.GetAsync("api/messages/" + queueId),
                m => History(m).Any(h => h.StartsWith("retry 2 scheduled at", StringComparison.Ordinal)),
                Patience,
                "the retry waiting on its timer");
            await first.KillAsync();
            firstOutput = first.Output;
        }

        await using var second = await DevHostProcess.StartAsync(prefix, keyFile, retryDelay);
        var delivered = await ExplainedAsync(
            Eventually.MatchesAsync(
                () => second.GetAsync("api/messages/" + queueId),
                // A devhost just started may answer 503 while storage warms up: not an answer yet, ask again.
                m => m.TryGetProperty("data", out var data) && data.GetProperty("status").GetString() == "read",
                Patience,
                "the retried message to be read after the restart"),
            firstOutput,
            second);
        Assert.Single(History(delivered), h => h.StartsWith("retry 2 scheduled at", StringComparison.Ordinal));
    }

    // A wait that times out says what both devhosts printed, so a failure on a loaded CI machine can be read.
    private static async Task<JsonElement> ExplainedAsync(Task<JsonElement> wait, string firstOutput, DevHostProcess second)
    {
        try
        {
            return await wait;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}{Environment.NewLine}Before the kill:{firstOutput}{Environment.NewLine}After the restart:{second.Output}", e);
        }
    }

    // A devhost that just started may answer 503 (no data) while storage warms up: nothing to count yet.
    private static int Progress(JsonElement campaign, string field) =>
        campaign.TryGetProperty("data", out var data) && data.GetProperty("progress").TryGetProperty(field, out var value) ? value.GetInt32() : 0;

    private static IEnumerable<string> History(JsonElement message) =>
        message.TryGetProperty("data", out var data) && data.TryGetProperty("history", out var history)
            ? history.EnumerateArray().Select(h => h.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "")
            : [];
}
