using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.Sandbox;

/// <summary>A message the sandbox accepted, as a test or the devhost sees it.</summary>
public sealed record SandboxSentMessage(string EngineMessageId, EngineSendRequest Request, DateTimeOffset At);

/// <summary>
/// A simulated WhatsApp. Sends succeed unless a fault is set for the recipient; delivered and read
/// receipts follow on the injected <see cref="TimeProvider"/>, so a test clock drives them. A
/// repeated message id returns the first engine id, as a real gateway's deduplication would.
/// </summary>
public sealed partial class SandboxEngine(IOptions<SandboxOptions> options, IEngineEventSink sink, TimeProvider time, ILogger<SandboxEngine> logger)
    : IWhatsAppEngine, IDisposable
{
    private readonly ConcurrentDictionary<string, SandboxFault> _faults = new(options.Value.Faults);
    private readonly ConcurrentDictionary<string, int> _failuresSoFar = new();
    private readonly ConcurrentDictionary<string, SandboxSentMessage> _sentByMessageId = new();
    private readonly ConcurrentQueue<SandboxSentMessage> _sent = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SandboxSentLog? _sentLog = options.Value.SentLogPath is { Length: > 0 } path ? new SandboxSentLog(path) : null;
    private long _sequence;
    private int _disposed;

    public string Name => EngineNames.Sandbox;

    public EngineCapabilities Capabilities => EngineCapabilities.Sandbox;

    /// <summary>Everything sent so far, in order.</summary>
    public IReadOnlyCollection<SandboxSentMessage> Sent => _sent;

    public void SetFault(string recipient, SandboxFault fault)
    {
        _faults[recipient] = fault;
        _failuresSoFar.TryRemove(recipient, out _);
    }

    public void ClearFault(string recipient)
    {
        _faults.TryRemove(recipient, out _);
        _failuresSoFar.TryRemove(recipient, out _);
    }

    public Task<EngineSendResult> SendAsync(EngineSendRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();

        if (_sentByMessageId.TryGetValue(request.MessageId, out var earlier))
        {
            return Task.FromResult(EngineSendResult.Sent(earlier.EngineMessageId));
        }

        if (!_sessions.TryGetValue(request.SessionKey, out var session) || !session.Connected)
        {
            return Task.FromResult(EngineSendResult.Transient("session not connected"));
        }

        if (session.Zombie)
        {
            // A zombie takes the message and it goes nowhere; only the liveness probe can tell.
            return Task.FromResult(EngineSendResult.Transient("timed out waiting for the server"));
        }

        if (_faults.TryGetValue(request.Recipient, out var fault))
        {
            var failures = _failuresSoFar.AddOrUpdate(request.Recipient, 1, (_, n) => n + 1);
            if (fault.Times is null || failures <= fault.Times)
            {
                LogFault(logger, request.MessageId, fault.Kind, fault.Reason);
                return Task.FromResult(new EngineSendResult(null, fault.Kind, fault.Reason));
            }
        }

        var engineId = $"sbx.{Interlocked.Increment(ref _sequence):D8}.{request.MessageId}";
        var sent = new SandboxSentMessage(engineId, request, time.GetUtcNow());
        if (!_sentByMessageId.TryAdd(request.MessageId, sent))
        {
            return Task.FromResult(EngineSendResult.Sent(_sentByMessageId[request.MessageId].EngineMessageId));
        }

        _sent.Enqueue(sent);
        _sentLog?.Append(new SandboxSentLogEntry(request.MessageId, engineId, request.SessionKey, request.Recipient, sent.At, Environment.ProcessId));
        _ = SendReceiptsAsync(request.SessionKey, engineId);
        return Task.FromResult(EngineSendResult.Sent(engineId));
    }

    public void Dispose()
    {
        // Registered as itself and as IWhatsAppEngine, so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
            _sentLog?.Dispose();
        }
    }

    private async Task SendReceiptsAsync(string sessionId, string engineId)
    {
        var o = options.Value;
        try
        {
            if (o.DeliveredAfter is not { } deliveredAfter)
            {
                return;
            }

            await Task.Delay(deliveredAfter, time, _stopping.Token);
            await sink.OnEventAsync(new ReceiptEvent(sessionId, time.GetUtcNow(), engineId, ReceiptKind.Delivered), _stopping.Token);

            if (o.ReadAfter is not { } readAfter)
            {
                return;
            }

            await Task.Delay(readAfter, time, _stopping.Token);
            await sink.OnEventAsync(new ReceiptEvent(sessionId, time.GetUtcNow(), engineId, ReceiptKind.Read), _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: receipts not yet due are not sent.
        }
        catch (ObjectDisposedException)
        {
        }
        catch (Exception e)
        {
            LogReceiptFailed(logger, e, engineId);
        }
    }

    [LoggerMessage(LogLevel.Information, "Sandbox fault for {MessageId}: {Kind} {Reason}")]
    private static partial void LogFault(ILogger logger, string messageId, FailureKind kind, string reason);

    [LoggerMessage(LogLevel.Warning, "Sandbox receipt for {EngineMessageId} could not be delivered")]
    private static partial void LogReceiptFailed(ILogger logger, Exception exception, string engineMessageId);
}
