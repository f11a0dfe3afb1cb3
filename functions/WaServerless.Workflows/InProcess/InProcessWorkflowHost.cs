using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace WaServerless.Workflows.InProcess;

/// <summary>The devhost's workflow engine at start and stop: resumes what was unfinished, stops everything where it is.</summary>
public sealed partial class InProcessWorkflowHost(
    InProcessOrchestrationRunner runner,
    InProcessInstanceStore instances,
    WorkflowStorageInitializer storage,
    ILogger<InProcessWorkflowHost> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await storage.StartAsync(cancellationToken);
        await instances.EnsureTableAsync(cancellationToken);
        var resumed = await runner.ResumeUnfinishedAsync(cancellationToken);
        LogStarted(logger, resumed);
    }

    public Task StopAsync(CancellationToken cancellationToken) => runner.StopAsync().WaitAsync(cancellationToken);

    [LoggerMessage(LogLevel.Information, "In-process workflow runner started; {Resumed} unfinished orchestrations resumed")]
    private static partial void LogStarted(ILogger logger, int resumed);
}
