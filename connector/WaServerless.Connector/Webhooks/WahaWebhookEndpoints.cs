using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Engines.Waha;

namespace WaServerless.Connector.Webhooks;

/// <summary>
/// Where this replica's WAHA sidecar calls: POST /webhooks/waha/{session}, one URL per WAHA session.
/// The body is bounded, then its X-Webhook-Hmac must verify under that session's own key (derived
/// from the WAHA API key and the session name) before a byte of it is read as JSON. WAHA retries a
/// webhook that does not get a 2xx, so a failure while handling answers 500 and every handler is
/// safe to repeat (inbound messages are stored once by their bare id; receipts only move forward).
/// </summary>
internal static partial class WahaWebhookEndpoints
{
    public const string Path = "/webhooks/waha/{session}";

    // WAHA's events are small JSON documents (media travel by URL); anything near this is not from WAHA.
    private const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Maps the webhook when the WAHA engine is registered; otherwise maps nothing.</summary>
    public static IEndpointRouteBuilder MapWahaWebhook(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetService<WahaSessionEngine>() is null)
        {
            return app;
        }

        app.MapPost(Path, HandleAsync);
        return app;
    }

    public static async Task<IResult> HandleAsync(
        string session,
        HttpRequest request,
        WahaSessionEngine engine,
        IOptions<WahaOptions> options,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        var logger = loggers.CreateLogger(typeof(WahaWebhookEndpoints));
        if (!WahaSessionNames.IsWellFormed(session))
        {
            return Results.NotFound();
        }

        if (await WebhookBody.ReadAsync(request, MaxBodyBytes, cancellationToken) is not { } body)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }

        var key = WahaWebhookSignature.KeyFor(options.Value.ApiKey, session);
        if (!WahaWebhookSignature.IsValid(key, body, request.Headers[WahaWebhookSignature.Header], request.Headers[WahaWebhookSignature.AlgorithmHeader]))
        {
            LogBadSignature(logger, session);
            return Results.Unauthorized();
        }

        WahaWebhookEvent webhook;
        try
        {
            webhook = WahaWebhook.Parse(body, time.GetUtcNow());
        }
        catch (JsonException)
        {
            // Signed yet unreadable: retrying will not help, so it is acknowledged and logged.
            LogUnreadable(logger, session);
            return Results.Ok();
        }

        if (webhook.Session != session)
        {
            // Signed for one session, claiming another: refused rather than routed.
            LogBadSignature(logger, session);
            return Results.Unauthorized();
        }

        await engine.OnWebhookAsync(webhook, cancellationToken);
        LogHandled(logger, webhook.Event, session);
        return Results.Ok();
    }

    [LoggerMessage(LogLevel.Warning, "WAHA webhook for {WahaSession} refused: the signature does not verify")]
    private static partial void LogBadSignature(ILogger logger, string wahaSession);

    [LoggerMessage(LogLevel.Warning, "WAHA webhook for {WahaSession} with a valid signature but a body that is not a WAHA event; acknowledged")]
    private static partial void LogUnreadable(ILogger logger, string wahaSession);

    [LoggerMessage(LogLevel.Debug, "WAHA webhook {Event} for {WahaSession} handled")]
    private static partial void LogHandled(ILogger logger, string @event, string wahaSession);
}
