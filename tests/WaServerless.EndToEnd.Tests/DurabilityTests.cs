using System.Net.Http.Json;
using WaServerless.Core.Accounts;
using WaServerless.Core.Contracts;
using WaServerless.Core.Limits;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.DevHost;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Messages;

namespace WaServerless.EndToEnd.Tests;

/// <summary>Nothing accepted is lost: not when the devhost stops before sending, not when the enqueue never happened.</summary>
public sealed class DurabilityTests
{
    [Fact]
    public async Task A_message_accepted_before_a_stop_is_delivered_after_the_restart()
    {
        var keyFile = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "demo-key.txt");
        string queueId;
        string prefix;
        string key;
        await using (var first = await DevHostInstance.StartAsync(settings: new() { ["Connector:Enabled"] = "false" }, demoKeyFile: keyFile))
        {
            var (status, body) = await first.SendJsonAsync(new { recipient = "+14155550120", text = "survive the restart", wait_for_session = true });
            Assert.Equal(202, status);
            queueId = body.GetProperty("data").GetProperty("queue_id").GetString()!;
            prefix = first.Prefix;
            key = first.ApiKey;
            Assert.Equal("queued", (await first.GetMessageAsync(queueId)).GetProperty("data").GetProperty("status").GetString());
        }

        await using var second = await DevHostInstance.StartAsync(prefix, demoKeyFile: keyFile);

        Assert.Equal(key, second.ApiKey);

        // A restarted host reclaims the session and drains what was queued; on a loaded machine that can outlast the usual 30 s.
        await second.WaitForStatusAsync(queueId, "read", TimeSpan.FromSeconds(90));
    }

    [Fact]
    public async Task A_message_whose_enqueue_never_happened_is_found_by_the_sweeper_and_delivered()
    {
        await using var host = await DevHostInstance.StartAsync(settings: new() { ["Messages:OutboxGracePeriod"] = "00:00:00.500" });
        var account = (await host.Service<AccountStore>().GetAsync(DemoAccountSeeder.DemoAccountId, default))!;
        var request = new SendRequest("+14155550121", new TextContent("stranded"), Priority.Normal, null);
        var command = new SendCommand
        {
            MessageId = MessageIds.New(TimeProvider.System),
            AccountId = account.Id,
            SessionKey = WaServerless.Core.Sessions.SessionKey.Of(account.Id, account.DefaultSessionId),
            Recipient = request.Recipient,
            Content = request.Content,
            Priority = request.Priority.Value,
            AcceptedAt = DateTimeOffset.UtcNow,
        };

        // Committed, then "crashed" before the enqueue: only the outbox row knows.
        var caller = new Caller(new ApiKeyRecord("key_test", account.Id, "test", "SM-xxxxxxxx", DateTimeOffset.UtcNow, null, null), account);
        Assert.IsType<AcceptResult.Accepted>(await host.Service<MessageStore>().AcceptAsync(caller, SendLimits.Unlimited, request, command, (_, _) => new StoredResponse(202, "{}"), default));

        await host.WaitForStatusAsync(command.MessageId, "read");
    }
}
