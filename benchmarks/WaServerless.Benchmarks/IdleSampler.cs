using System.Diagnostics;
using System.Runtime;

namespace WaServerless.Benchmarks;

/// <summary>What one idle period of the process looked like.</summary>
internal sealed record IdlePhase(
    int Sessions,
    TimeSpan Duration,
    int Samples,
    double CpuPercentOfOneCore,
    double UserCpuSeconds,
    double SystemCpuSeconds,
    double WorkingSetMeanBytes,
    long WorkingSetMaxBytes,
    long WorkingSetAfterGcBytes,
    long ManagedHeapAtStartBytes,
    long ManagedHeapAtEndBytes,
    double ManagedHeapMeanBytes,
    long GcHeapSizeBytes,
    long GcCommittedBytes,
    double AllocatedBytesPerSecond,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double ThreadsMean,
    int ThreadsMax,
    int ThreadPoolThreads,
    long ActiveTimers,
    RequestCounts Requests,
    int ConnectedAtEnd,
    double AzuriteCpuPercentOfOneCore)
{
    public double RequestsPerMinute(long count) => count / Duration.TotalMinutes;
}

/// <summary>
/// Measures the process while it does nothing but what its sessions do on their own: a full GC
/// first, then one sample a second (working set, managed heap, threads), CPU time over the whole
/// period, and a full GC after it for the heap that is really live.
/// </summary>
internal static class IdleSampler
{
    public static async Task<IdlePhase> MeasureAsync(
        int sessions,
        TimeSpan duration,
        StorageRequestCounter requests,
        Func<int> connected,
        Process azurite,
        CancellationToken cancellationToken)
    {
        using var self = Process.GetCurrentProcess();
        FullCollect();
        var heapAtStart = GC.GetTotalMemory(forceFullCollection: false);
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        var requestsAtStart = requests.Snapshot();
        self.Refresh();
        azurite.Refresh();
        var cpu = (Total: self.TotalProcessorTime, User: self.UserProcessorTime, System: self.PrivilegedProcessorTime);
        var azuriteCpu = azurite.TotalProcessorTime;
        var clock = Stopwatch.StartNew();

        var workingSets = new List<long>();
        var heaps = new List<long>();
        var threads = new List<int>();
        using (var tick = new PeriodicTimer(TimeSpan.FromSeconds(1)))
        {
            while (clock.Elapsed < duration && await tick.WaitForNextTickAsync(cancellationToken))
            {
                self.Refresh();
                workingSets.Add(self.WorkingSet64);
                heaps.Add(GC.GetTotalMemory(forceFullCollection: false));
                threads.Add(self.Threads.Count);
            }
        }

        var elapsed = clock.Elapsed;
        self.Refresh();
        azurite.Refresh();
        var cpuUsed = self.TotalProcessorTime - cpu.Total;
        var userUsed = self.UserProcessorTime - cpu.User;
        var systemUsed = self.PrivilegedProcessorTime - cpu.System;
        var azuriteUsed = azurite.TotalProcessorTime - azuriteCpu;
        var requestsUsed = requests.Snapshot() - requestsAtStart;
        var allocatedUsed = GC.GetTotalAllocatedBytes(precise: false) - allocated;
        int[] collected = [GC.CollectionCount(0) - collections[0], GC.CollectionCount(1) - collections[1], GC.CollectionCount(2) - collections[2]];
        var connectedAtEnd = connected();
        var threadPoolThreads = ThreadPool.ThreadCount;
        var timers = Timer.ActiveCount;

        // Outside the timed period: what is live, and what the process holds, after a full GC.
        FullCollect();
        var heapAtEnd = GC.GetTotalMemory(forceFullCollection: false);
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        self.Refresh();

        return new IdlePhase(
            sessions,
            elapsed,
            workingSets.Count,
            Percent(cpuUsed, elapsed),
            userUsed.TotalSeconds,
            systemUsed.TotalSeconds,
            workingSets.Count == 0 ? self.WorkingSet64 : workingSets.Average(),
            workingSets.Count == 0 ? self.WorkingSet64 : workingSets.Max(),
            self.WorkingSet64,
            heapAtStart,
            heapAtEnd,
            heaps.Count == 0 ? heapAtEnd : heaps.Average(),
            info.HeapSizeBytes,
            info.TotalCommittedBytes,
            allocatedUsed / elapsed.TotalSeconds,
            collected[0],
            collected[1],
            collected[2],
            threads.Count == 0 ? 0 : threads.Average(),
            threads.Count == 0 ? 0 : threads.Max(),
            threadPoolThreads,
            timers,
            requestsUsed,
            connectedAtEnd,
            Percent(azuriteUsed, elapsed));
    }

    public static void FullCollect()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static double Percent(TimeSpan used, TimeSpan elapsed) => 100 * used.TotalSeconds / elapsed.TotalSeconds;
}
