using Azure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WaServerless.Storage.Infrastructure;

/// <summary>
/// Creates the tables a deployment needs before the first request; cheap when they exist. A host
/// starting while storage is slow to answer (a cold account, a busy emulator) waits and tries again,
/// for a while, instead of failing its start on the per-call timeouts sized for requests.
/// </summary>
public sealed partial class StorageInitializer(StorageClients clients, ILogger<StorageInitializer> logger, TimeProvider? time = null) : IHostedService
{
    private const int Attempts = 5;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await CreateTablesAsync(clients, TableNames.All, logger, time ?? TimeProvider.System, cancellationToken);
        LogReady(logger, TableNames.All.Length);
    }

    /// <summary>Creates <paramref name="tables"/> if they are missing, trying again a few times while storage does not answer.</summary>
    public static async Task CreateTablesAsync(StorageClients clients, IReadOnlyCollection<string> tables, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(tables);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                foreach (var table in tables)
                {
                    await clients.Table(table).CreateIfNotExistsAsync(cancellationToken);
                }

                return;
            }
            catch (Exception e) when (attempt < Attempts && !cancellationToken.IsCancellationRequested && IsTransient(e))
            {
                var delay = TimeSpan.FromSeconds(attempt);
                LogRetrying(logger, e, attempt, delay);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Timeouts (the SDK gathers every try's in an AggregateException), no answer, or the service's own trouble.
    private static bool IsTransient(Exception e) => e switch
    {
        AggregateException a => a.InnerExceptions.All(IsTransient),
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        TaskCanceledException or TimeoutException or HttpRequestException => true,
        _ => false,
    };

    [LoggerMessage(LogLevel.Information, "Storage ready: {TableCount} tables")]
    private static partial void LogReady(ILogger logger, int tableCount);

    [LoggerMessage(LogLevel.Warning, "Storage did not answer while creating the tables (attempt {Attempt}); trying again in {Delay}")]
    private static partial void LogRetrying(ILogger logger, Exception exception, int attempt, TimeSpan delay);
}
