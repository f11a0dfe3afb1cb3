using Azure.Core;
using Azure.Core.Pipeline;
using WaServerless.Core.Telemetry;

namespace WaServerless.Storage.Infrastructure;

/// <summary>Storage requests this process made, by kind: the measure of a hot path's round trips.</summary>
public readonly record struct StorageRequestCounts(long TableReads, long TableWrites, long TableTransactions, long QueueRequests, long BlobRequests)
{
    public long Total => TableReads + TableWrites + TableTransactions + QueueRequests + BlobRequests;

    public static StorageRequestCounts operator -(StorageRequestCounts a, StorageRequestCounts b) => new(
        a.TableReads - b.TableReads, a.TableWrites - b.TableWrites, a.TableTransactions - b.TableTransactions, a.QueueRequests - b.QueueRequests, a.BlobRequests - b.BlobRequests);
}

/// <summary>
/// Counts every request (each try) the storage clients send, into <see cref="StorageClients.Requests"/>
/// and the "waserverless.storage.requests" metric, so tests, benchmarks and Azure Monitor see the
/// round trips a path costs rather than an estimate.
/// </summary>
internal sealed class StorageRequestCounter(string service) : HttpPipelineSynchronousPolicy
{
    private long _reads;
    private long _writes;
    private long _transactions;
    private long _other;

    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var kind = Classify(message.Request);
        switch (kind)
        {
            case "read":
                Interlocked.Increment(ref _reads);
                break;
            case "transaction":
                Interlocked.Increment(ref _transactions);
                break;
            case "write":
                Interlocked.Increment(ref _writes);
                break;
            default:
                Interlocked.Increment(ref _other);
                break;
        }

        WaTelemetry.StorageRequests.Add(1, WaTelemetry.Tag("service", service), WaTelemetry.Tag("kind", kind));
    }

    public (long Reads, long Writes, long Transactions, long All) Snapshot()
    {
        var (reads, writes, transactions, other) = (Interlocked.Read(ref _reads), Interlocked.Read(ref _writes), Interlocked.Read(ref _transactions), Interlocked.Read(ref _other));
        return (reads, writes, transactions, reads + writes + transactions + other);
    }

    private static string Classify(Request request) =>
        request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) ? "transaction"
        : request.Method == RequestMethod.Get || request.Method == RequestMethod.Head ? "read"
        : "write";
}
