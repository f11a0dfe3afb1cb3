using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using WaServerless.Engines.Sandbox;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Benchmarks;

/// <summary>What one connector sustains: sends across many Sandbox sessions, and a campaign's release rate.</summary>
internal sealed record ConnectorResult(
    int Sessions,
    int Messages,
    TimeSpan DrainSpan,
    TimeSpan DrainTotal,
    TimeSpan AcceptedAfter,
    int CampaignRecipients,
    TimeSpan CampaignReleased,
    TimeSpan CampaignSent,
    string? CampaignStatus,
    StorageRequestCounts DrainRequests)
{
    public double SendsPerSecond => (Messages - 1) / DrainSpan.TotalSeconds;

    public double ReleasedPerSecond => CampaignRecipients / CampaignReleased.TotalSeconds;

    public double CampaignSentPerSecond => CampaignRecipients / CampaignSent.TotalSeconds;
}

/// <summary>
/// The connector alone: messages for many sessions are accepted with the lane consumer off, then a
/// devhost with the connector on (the Sandbox, pacing off) drains them; the rate is taken from the
/// Sandbox's own record of its sends, first to last, so start-up and pairing are not in it. Then one
/// campaign with no spacing: recipients released per second by the orchestration, and sent per second.
/// </summary>
internal static class ConnectorBench
{
    public static async Task<ConnectorResult> RunAsync(AzuriteProcess azurite, int sessions, int messages, int campaignRecipients, CancellationToken cancellationToken)
    {
        // Sessions are claimed on a 1 s scan so that all of them are connected before the first send;
        // a send for a session not yet connected would go the retry orchestration's way instead.
        var settings = new Dictionary<string, string?>
        {
            ["Sandbox:DeliveredAfter"] = "01:00:00",
            ["Connector:SessionScanInterval"] = "00:00:01",
            ["Logging:LogLevel:WaServerless.Api.Sending.SendHandler"] = "Error",
        };
        await using var host = await BenchDevHost.StartAsync(azurite, "connbench", settings, cancellationToken);
        var sessionIds = new List<string> { "default" };
        for (var i = 1; i < sessions; i++)
        {
            var (status, body) = await host.CallAsync(HttpMethod.Post, "api/sessions", new { name = "bench " + i.ToString(CultureInfo.InvariantCulture) }, cancellationToken);
            Require(status == 201, $"creating session {i}: {status} {body}");
            sessionIds.Add(body.GetProperty("data").GetProperty("id").GetString()!);
        }

        foreach (var id in sessionIds)
        {
            await host.WaitForSessionAsync(id, cancellationToken);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {sessions} sessions connected; accepting {messages} messages from 8 clients while the connector sends"));
        var sandbox = host.Service<SandboxEngine>();
        var storage = host.Service<StorageClients>();
        var requestsBefore = storage.Requests;
        var total = Stopwatch.StartNew();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < messages; i = Interlocked.Increment(ref next))
            {
                var recipient = "+1415" + (3_000_000 + i).ToString(CultureInfo.InvariantCulture);
                var (status, body) = await host.CallAsync(HttpMethod.Post, "api/send", new { recipient, text = "drain", session = sessionIds[i % sessionIds.Count] }, cancellationToken);
                Require(status == 202, $"accepting {i}: {status} {body}");
            }
        }));
        var acceptedAfter = total.Elapsed;

        while (sandbox.Sent.Count < messages)
        {
            Require(total.Elapsed < TimeSpan.FromMinutes(5), $"only {sandbox.Sent.Count} of {messages} sent within 5 minutes");
            await Task.Delay(50, cancellationToken);
        }

        var drainTotal = total.Elapsed;
        var drainRequests = storage.Requests - requestsBefore;
        var sent = sandbox.Sent.Select(s => s.At).Order().ToList();
        var span = sent[^1] - sent[0];

        // A campaign on the default session, no spacing: how fast the orchestration releases it.
        var recipients = Enumerable.Range(0, campaignRecipients).Select(i => "+1415" + (4_000_000 + i).ToString(CultureInfo.InvariantCulture)).ToArray();
        var before = sandbox.Sent.Count;
        var clock = Stopwatch.StartNew();
        var (created, campaign) = await host.CallAsync(HttpMethod.Post, "api/bulk", new { name = "release rate", text = "campaign", interval_seconds = 0, recipients }, cancellationToken);
        Require(created == 202, $"creating the campaign: {created} {campaign}");
        var campaignId = campaign.GetProperty("data").GetProperty("campaign").GetProperty("id").GetString()!;
        TimeSpan? released = null;
        string? campaignStatus = null;
        while (sandbox.Sent.Count - before < campaignRecipients && clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            if (released is null)
            {
                var (_, progress) = await host.CallAsync(HttpMethod.Get, "api/bulk/" + campaignId, null, cancellationToken);
                if (progress.ValueKind == JsonValueKind.Object && progress.TryGetProperty("data", out var data)
                    && data.GetProperty("progress").TryGetProperty("released", out var r) && r.GetInt32() >= campaignRecipients)
                {
                    released = clock.Elapsed;
                    campaignStatus = data.GetProperty("status").GetString();
                }
            }

            await Task.Delay(100, cancellationToken);
        }

        var campaignSent = clock.Elapsed;
        Require(sandbox.Sent.Count - before >= campaignRecipients, $"the campaign sent {sandbox.Sent.Count - before} of {campaignRecipients} within 5 minutes");
        return new ConnectorResult(sessions, messages, span, drainTotal, acceptedAfter, campaignRecipients, released ?? campaignSent, campaignSent, campaignStatus, drainRequests);
    }

    private static void Require(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Connector benchmark: " + what);
        }
    }

    public static string Render(ConnectorResult r)
    {
        var md = new StringBuilder();
        void Line(FormattableString text) => md.Append(text.ToString(CultureInfo.InvariantCulture)).Append('\n');
        Line($"## One connector: sends across {r.Sessions} Sandbox sessions, and a campaign's release rate");
        Line($"");
        Line($"A devhost with the connector on (the Sandbox engine, Connector:SendInterval 0, no receipts) on an Azurite of its own; {r.Sessions} sessions of one account, all connected before the first send. Then {r.Messages} text messages, spread evenly over the sessions, were accepted by 8 clients (all accepted after {r.AcceptedAfter.TotalSeconds:0.0} s) while the connector sent them. The rate is from the Sandbox's record of its sends, first to last. The connector is the Storage Queues port's single lane consumer (batches of Connector:BatchSize, one message after another); on Service Bus each owned session has a receiver of its own.");
        Line($"");
        Line($"| sessions | messages | sends/s, first to last send | from the first accept to the last send |");
        Line($"| --- | --- | --- | --- |");
        Line($"| {r.Sessions} | {r.Messages} | {r.SendsPerSecond:0.0} | {r.DrainTotal.TotalSeconds:0.0} s |");
        Line($"");
        var q = r.DrainRequests;
        double Per(long n) => (double)n / r.Messages;
        Line($"Storage requests from the first accept to the last send, counted by the devhost's own clients (`StorageClients.Requests`, every try, its background loops and session upkeep included): {Per(q.Total):0.00} per message, accept included ({Per(q.TableReads):0.00} table reads, {Per(q.TableWrites):0.00} table writes, {Per(q.TableTransactions):0.00} transactions, {Per(q.QueueRequests):0.00} queue, {Per(q.BlobRequests):0.00} blob), with no receipts; each receipt (delivered, read) adds a lookup of the engine's id, a read and a replace of the message row and an event.");
        Line($"");
        Line($"Then one campaign of {r.CampaignRecipients} recipients on one session with interval_seconds 0, through POST /api/bulk: the campaign orchestration releases recipients in batches (Workflows:CampaignBatchSize, 10) and the connector sends them.");
        Line($"");
        Line($"| recipients | all released after | released/s | all sent after | sent/s |");
        Line($"| --- | --- | --- | --- | --- |");
        Line($"| {r.CampaignRecipients} | {r.CampaignReleased.TotalSeconds:0.0} s | {r.ReleasedPerSecond:0.0} | {r.CampaignSent.TotalSeconds:0.0} s | {r.CampaignSentPerSecond:0.0} |");
        return md.ToString();
    }
}
