using System.Diagnostics.Metrics;

namespace WaServerless.Benchmarks;

/// <summary>Storage requests made so far, by Azurite service; errors are responses of 400 and up or no response.</summary>
internal readonly record struct RequestCounts(long Blob, long Table, long Queue, long Other, long Errors)
{
    public long Total => Blob + Table + Queue + Other;

    public static RequestCounts operator -(RequestCounts a, RequestCounts b) =>
        new(a.Blob - b.Blob, a.Table - b.Table, a.Queue - b.Queue, a.Other - b.Other, a.Errors - b.Errors);
}

/// <summary>
/// Counts the storage requests this process makes, without touching the Storage code: the Azure
/// SDK sends through HttpClient, and .NET's own "System.Net.Http" meter records every request in
/// "http.client.request.duration" with the server port, which tells Azurite's blob, queue and table
/// endpoints apart.
/// </summary>
internal sealed class StorageRequestCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly int _blobPort;
    private readonly int _queuePort;
    private readonly int _tablePort;
    private long _blob;
    private long _table;
    private long _queue;
    private long _other;
    private long _errors;

    public StorageRequestCounter(int blobPort, int queuePort, int tablePort)
    {
        _blobPort = blobPort;
        _queuePort = queuePort;
        _tablePort = tablePort;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.request.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    public RequestCounts Snapshot() => new(
        Interlocked.Read(ref _blob), Interlocked.Read(ref _table), Interlocked.Read(ref _queue), Interlocked.Read(ref _other), Interlocked.Read(ref _errors));

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        int? port = null;
        int? status = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "server.port" when tag.Value is int p:
                    port = p;
                    break;
                case "http.response.status_code" when tag.Value is int s:
                    status = s;
                    break;
            }
        }

        if (port == _blobPort)
        {
            Interlocked.Increment(ref _blob);
        }
        else if (port == _tablePort)
        {
            Interlocked.Increment(ref _table);
        }
        else if (port == _queuePort)
        {
            Interlocked.Increment(ref _queue);
        }
        else
        {
            Interlocked.Increment(ref _other);
        }

        if (status is null or >= 400)
        {
            Interlocked.Increment(ref _errors);
        }
    }
}
