using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using WaServerless.Connector.Sending;
using WaServerless.Connector.Sessions;
using WaServerless.Queues;
using WaServerless.TestKit;

namespace WaServerless.Connector.Tests;

/// <summary>
/// The Service Bus way of consuming: only the sessions this replica owns and has connected, each
/// in order, most urgent lane first. The broker is an in-memory stand-in with named sessions.
/// </summary>
public sealed class OwnedSessionPumpsTests
{
    private static readonly ConnectorOptions Options = new()
    {
        PollInterval = TimeSpan.FromMilliseconds(10),
        SessionReceiveWait = TimeSpan.FromMilliseconds(5),
        BatchSize = 4,
    };

    [Fact]
    public async Task Only_sessions_owned_and_connected_here_are_received_and_each_in_order_most_urgent_lane_first()
    {
        var broker = new SessionBroker();
        broker.Add("send-normal", "acc~a", "a-normal-1", "a-normal-2");
        broker.Add("send-otp", "acc~a", "a-otp-1");
        broker.Add("send-normal", "acc~b", "b-normal-1");
        var directory = new Directory { Ready = ["acc~a"] };
        var handler = new RecordingHandler();
        using var stop = new CancellationTokenSource();
        var pumps = new OwnedSessionPumps(broker, handler, directory, Options, TimeProvider.System, NullLogger.Instance);

        var run = pumps.RunAsync(stop.Token);
        await Eventually.MatchesAsync(() => Task.FromResult(handler.Handled.Count), n => n == 3, TimeSpan.FromSeconds(10), "session a's three messages");
        await stop.CancelAsync();
        await run;

        Assert.Equal(["a-otp-1", "a-normal-1", "a-normal-2"], handler.Handled);
        Assert.DoesNotContain(broker.Asked, a => a.Session == "acc~b");
        Assert.All(handler.SessionStream, Assert.True);
        Assert.Contains("acc~a", broker.Closed);
    }

    [Fact]
    public async Task A_session_that_disconnects_is_let_go_so_its_messages_wait_for_its_next_owner()
    {
        var broker = new SessionBroker();
        var directory = new Directory { Ready = ["acc~a"] };
        var pumps = new OwnedSessionPumps(broker, new RecordingHandler(), directory, Options, TimeProvider.System, NullLogger.Instance);

        await pumps.ReconcileAsync(CancellationToken.None);
        Assert.Equal(["acc~a"], pumps.Pumping);

        directory.Ready = [];
        await pumps.ReconcileAsync(CancellationToken.None);
        broker.Add("send-normal", "acc~a", "arrives-while-away");
        await Task.Delay(50);

        Assert.Empty(pumps.Pumping);
        Assert.Contains("acc~a", broker.Closed);
        Assert.Equal(1, broker.Pending("send-normal", "acc~a"));
    }

    [Fact]
    public async Task A_send_under_way_when_the_session_goes_finishes_before_the_session_is_let_go()
    {
        var broker = new SessionBroker();
        broker.Add("send-normal", "acc~a", "in-flight", "next");
        var directory = new Directory { Ready = ["acc~a"] };
        var handler = new BlockingHandler();
        var pumps = new OwnedSessionPumps(broker, handler, directory, Options, TimeProvider.System, NullLogger.Instance);
        await pumps.ReconcileAsync(CancellationToken.None);
        await handler.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        directory.Ready = [];
        var stopping = pumps.ReconcileAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(stopping.IsCompleted);
        Assert.DoesNotContain("acc~a", broker.Closed);

        handler.Release.SetResult();
        await stopping;
        Assert.False(handler.WasCancelled);
        Assert.Contains("acc~a", broker.Closed);
        Assert.Equal(1, broker.Pending("send-normal", "acc~a"));
    }

    private sealed class BlockingHandler : ISendCommandHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool WasCancelled { get; private set; }

        public async Task ProcessAsync(ReceivedMessage received, bool sessionStream, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Release.Task;
            WasCancelled = cancellationToken.IsCancellationRequested;
        }
    }

    private sealed class Directory : ISessionDirectory
    {
        public IReadOnlyCollection<string> Ready { get; set; } = [];

        public IReadOnlyCollection<string> ReadySessions => Ready;

        public bool IsReady(string sessionKey) => Ready.Contains(sessionKey);

        public EngineRegistration? EngineOf(string sessionKey) => null;
    }

    private sealed class RecordingHandler : ISendCommandHandler
    {
        public ConcurrentQueue<string> Queue { get; } = new();

        public List<string> Handled => [.. Queue];

        public ConcurrentBag<bool> SessionStream { get; } = [];

        public Task ProcessAsync(ReceivedMessage received, bool sessionStream, CancellationToken cancellationToken)
        {
            Queue.Enqueue(received.Body);
            SessionStream.Add(sessionStream);
            return Task.CompletedTask;
        }
    }

    private sealed class SessionBroker : ISessionQueueReceiver
    {
        private readonly ConcurrentDictionary<(string Queue, string Session), ConcurrentQueue<string>> _queues = new();

        public ConcurrentQueue<(string Queue, string Session)> Asked { get; } = new();

        public ConcurrentBag<string> Closed { get; } = [];

        public void Add(string queue, string session, params string[] bodies)
        {
            var q = _queues.GetOrAdd((queue, session), _ => new ConcurrentQueue<string>());
            foreach (var body in bodies)
            {
                q.Enqueue(body);
            }
        }

        public int Pending(string queue, string session) => _queues.TryGetValue((queue, session), out var q) ? q.Count : 0;

        public async Task<IReadOnlyList<ReceivedMessage>> ReceiveFromSessionAsync(string queue, string sessionId, int maxMessages, TimeSpan maxWait, CancellationToken cancellationToken)
        {
            Asked.Enqueue((queue, sessionId));
            var taken = new List<ReceivedMessage>();
            if (_queues.TryGetValue((queue, sessionId), out var q))
            {
                while (taken.Count < maxMessages && q.TryDequeue(out var body))
                {
                    taken.Add(new BrokerMessage { Queue = queue, MessageId = body, Body = body, SessionId = sessionId, DeliveryCount = 1, EnqueuedAt = DateTimeOffset.UtcNow });
                }
            }

            if (taken.Count == 0)
            {
                await Task.Delay(maxWait, cancellationToken);
            }

            return taken;
        }

        public Task CloseSessionAsync(string sessionId, CancellationToken cancellationToken)
        {
            Closed.Add(sessionId);
            return Task.CompletedTask;
        }
    }

    private sealed class BrokerMessage : ReceivedMessage;
}
