using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WaServerless.Core.Engines;
using WaServerless.Engines.CloudApi;

namespace WaServerless.Connector.Webhooks;

/// <summary>
/// Where Meta calls: GET answers the subscription handshake, POST takes receipts and inbound
/// messages. Only a body whose X-Hub-Signature-256 verifies under the app secret is read; its events
/// go to the engine sink (receipts advance statuses, inbound messages are stored and published).
/// Meta retries a webhook that does not get a 200, so a failure while handling answers 500 and every
/// handler is safe to repeat.
/// </summary>
internal static partial class CloudApiWebhookEndpoints
{
    public const string Path = "/webhooks/cloudapi";

    // Meta's webhook bodies are small; anything near this is not from Meta.
    private const int MaxBodyBytes = 3 * 1024 * 1024;

    /// <summary>Maps the webhook when the Cloud API engine is registered; otherwise maps nothing.</summary>
    public static IEndpointRouteBuilder MapCloudApiWebhook(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetService<CloudApiWebhook>() is null)
        {
            return app;
        }

        app.MapGet(Path, (HttpRequest request, CloudApiWebhook webhook) =>
            webhook.VerifySubscription(request.Query["hub.mode"], request.Query["hub.verify_token"], request.Query["hub.challenge"]) is { } challenge
                ? Results.Text(challenge, "text/plain")
                : Results.StatusCode(StatusCodes.Status403Forbidden));
        app.MapPost(Path, HandleAsync);
        return app;
    }

    public static async Task<IResult> HandleAsync(HttpRequest request, CloudApiWebhook webhook, IEngineEventSink sink, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger(typeof(CloudApiWebhookEndpoints));
        if (await WebhookBody.ReadAsync(request, MaxBodyBytes, cancellationToken) is not { } body)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        if (!webhook.IsSignatureValid(body, request.Headers["X-Hub-Signature-256"]))
        {
            LogBadSignature(logger);
            return Results.Unauthorized();
        }

        IReadOnlyList<EngineEvent> events;
        try
        {
            events = webhook.Parse(body);
        }
        catch (JsonException)
        {
            // Signed by Meta yet not JSON: retrying will not help, so it is acknowledged and logged.
            LogUnreadable(logger);
            return Results.Ok();
        }

        foreach (var engineEvent in events)
        {
            await sink.OnEventAsync(engineEvent, cancellationToken);
        }

        LogHandled(logger, events.Count);
        return Results.Ok();
    }

    [LoggerMessage(LogLevel.Warning, "Cloud API webhook refused: the signature does not verify")]
    private static partial void LogBadSignature(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Cloud API webhook with a valid signature but a body that is not JSON; acknowledged")]
    private static partial void LogUnreadable(ILogger logger);

    [LoggerMessage(LogLevel.Debug, "Cloud API webhook handled: {EventCount} events")]
    private static partial void LogHandled(ILogger logger, int eventCount);
}
