using Microsoft.Extensions.Options;
using WaServerless.Storage.Webhooks;
using WaServerless.Workflows.Webhooks;

namespace WaServerless.DevHost;

/// <summary>The devhost's stand-in for the Functions timer that gives due webhook retries their next attempt.</summary>
public sealed partial class WebhookSweeperLoop(WebhookDeliverer deliverer, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookSweeperLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await deliverer.SweepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e);
            }

            try
            {
                await Task.Delay(options.Value.SweepInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Webhook retry sweep failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
