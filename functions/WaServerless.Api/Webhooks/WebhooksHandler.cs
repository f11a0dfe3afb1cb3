using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;
using WaServerless.Core.Net;
using WaServerless.Core.Webhooks;
using WaServerless.Storage.Webhooks;
using WaServerless.OutboundWebhooks;

namespace WaServerless.Api.Webhooks;

/// <summary>
/// The webhooks API, scoped to the caller's account (another account's endpoint answers 404, as
/// if it did not exist). The signing secret is shown once, at creation and at each rotation.
/// </summary>
public sealed partial class WebhooksHandler(
    RequestFieldsReader reader,
    WebhookStore webhooks,
    WebhookDeliveryStore deliveries,
    WebhookDeliverer deliverer,
    IOptions<WebhookOptions> options,
    ILogger<WebhooksHandler> logger)
{
    private static readonly HashSet<string> CreateFields = new(["url", "events", "description", "apikey"], StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> UpdateFields = new(["url", "events", "description", "enabled", "apikey"], StringComparer.OrdinalIgnoreCase);
    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);
    private const int MaxDescription = 200;
    private const int PendingCountCap = 1000;

    public async Task<IActionResult> CreateAsync(HttpRequest request, CancellationToken cancellationToken) =>
        await CreateAsync(await reader.ReadAsync(request, cancellationToken), request.Caller(), cancellationToken);

    /// <summary>A new endpoint from native fields (url, events, description): POST /api/webhooks and the surfaces that set webhooks.</summary>
    public async Task<IActionResult> CreateAsync(IReadOnlyDictionary<string, string> fields, WaServerless.Core.Accounts.Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(caller);
        RefuseUnknown(fields, CreateFields);
        RequireKey();
        var url = await CheckUrlAsync(fields.GetValueOrDefault("url"), cancellationToken);
        var events = fields.TryGetValue("events", out var e) ? ParseEvents(e) : [WebhookEventTypes.All];
        var description = Description(fields);

        var max = options.Value.MaxPerAccount;
        if ((await webhooks.ListAsync(caller.Account.Id, cancellationToken)).Count >= max)
        {
            throw new ApiErrorException(new ApiError(409, ErrorCodes.WebhookLimitReached, $"The account already has {max} webhook endpoints, the most it may have.", "Delete one (DELETE /api/webhooks/{id}), or subscribe one endpoint to more event types."));
        }

        var (endpoint, secret) = await webhooks.CreateAsync(caller.Account.Id, url, events, description, cancellationToken);
        LogCreated(logger, endpoint.Id, caller.Account.Id);
        return new JsonApiResult(StatusCodes.Status201Created, new DataResponse<WebhookView>(true, WebhookView.From(endpoint) with { Secret = secret }));
    }

    public async Task<IActionResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var list = await webhooks.ListAsync(caller.Account.Id, cancellationToken);
        return ApiResults.Ok(list.Select(WebhookView.From).ToList());
    }

    /// <summary>The endpoint with its delivery health and how many deliveries wait for a retry.</summary>
    public async Task<IActionResult> GetAsync(HttpRequest request, string webhookId, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(request, webhookId, null, cancellationToken);
        var waiting = await deliveries.CountPendingAsync(endpoint.Id, PendingCountCap, cancellationToken);
        return ApiResults.Ok(WebhookView.From(endpoint) with { PendingDeliveries = waiting });
    }

    /// <summary>Changes url, events, description or enabled; enabling again clears the failure streak.</summary>
    public async Task<IActionResult> UpdateAsync(HttpRequest request, string webhookId, CancellationToken cancellationToken)
    {
        var fields = await reader.ReadAsync(request, cancellationToken);
        var endpoint = await FindAsync(request, webhookId, fields, cancellationToken);
        RefuseUnknown(fields, UpdateFields);
        var url = fields.ContainsKey("url") ? await CheckUrlAsync(fields["url"], cancellationToken) : null;
        var events = fields.TryGetValue("events", out var e) ? ParseEvents(e) : null;
        bool? enabled = fields.TryGetValue("enabled", out var en)
            ? bool.TryParse(en.Trim(), out var on) ? on : throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, "enabled must be true or false."))
            : null;
        var updated = await webhooks.UpdateAsync(endpoint.AccountId, endpoint.Id, url, events, enabled, Description(fields), cancellationToken)
            ?? throw NotFound(webhookId);
        LogUpdated(logger, updated.Id, updated.Enabled);
        return ApiResults.Ok(WebhookView.From(updated));
    }

    public async Task<IActionResult> DeleteAsync(HttpRequest request, string webhookId, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(request, webhookId, null, cancellationToken);
        if (!await webhooks.DeleteAsync(endpoint.AccountId, endpoint.Id, cancellationToken))
        {
            throw NotFound(webhookId);
        }

        // Deliveries still pending for it are dropped by the sweeper when it finds the endpoint gone.
        LogDeleted(logger, endpoint.Id, endpoint.AccountId);
        return ApiResults.Ok(new DeletedView(endpoint.Id, true));
    }

    /// <summary>A new secret, shown once; the old one still signs (a second v1) for Webhooks:SecretRotationGrace.</summary>
    public async Task<IActionResult> RotateSecretAsync(HttpRequest request, string webhookId, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(request, webhookId, null, cancellationToken);
        RequireKey();
        var grace = options.Value.SecretRotationGrace;
        var rotated = await webhooks.RotateSecretAsync(endpoint.AccountId, endpoint.Id, grace, cancellationToken)
            ?? throw NotFound(webhookId);
        LogRotated(logger, endpoint.Id);
        return ApiResults.Ok(new RotatedView(endpoint.Id, rotated.Secret, grace > TimeSpan.Zero ? rotated.Endpoint.UpdatedAt + grace : null));
    }

    /// <summary>Sends a ping event now and reports what the endpoint answered.</summary>
    public async Task<IActionResult> TestAsync(HttpRequest request, string webhookId, CancellationToken cancellationToken)
    {
        var endpoint = await FindAsync(request, webhookId, null, cancellationToken);
        var target = await webhooks.GetTargetAsync(endpoint.AccountId, endpoint.Id, cancellationToken) ?? throw NotFound(webhookId);
        var result = await deliverer.PingAsync(target, cancellationToken);
        return ApiResults.Ok(new TestView(
            result.Outcome == WebhookAttemptOutcome.Delivered,
            result.StatusCode,
            result.Status,
            result.Error,
            (long)result.Duration.TotalMilliseconds));
    }

    private async Task<WebhookEndpoint> FindAsync(HttpRequest request, string webhookId, IReadOnlyDictionary<string, string>? fields, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        return await webhooks.GetAsync(caller.Account.Id, webhookId, cancellationToken) ?? throw NotFound(webhookId);
    }

    private void RequireKey()
    {
        if (!webhooks.CanStoreSecrets)
        {
            throw new ApiErrorException(new ApiError(503, ErrorCodes.WebhooksNotConfigured, "Webhooks are not configured on this deployment.", "The operator must set Webhooks__EncryptionKey (base64 of 32 random bytes)."));
        }
    }

    /// <summary>The URL's form, then its host: unless local targets are allowed, every address it resolves to must be public.</summary>
    private async Task<Uri> CheckUrlAsync(string? value, CancellationToken cancellationToken)
    {
        var allowLocal = options.Value.AllowLocalTargets;
        if (WebhookUrls.Check(value, allowLocal, out var url) is { } problem)
        {
            throw InvalidUrl(problem);
        }

        if (!allowLocal)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ResolveTimeout);
            // A name that does not resolve (yet) is accepted: every delivery checks its addresses again when it connects.
            var addresses = await NetworkAddresses.ResolveAsync(url!.DnsSafeHost, timeout.Token);
            if (!addresses.All(NetworkAddresses.IsPublic))
            {
                throw InvalidUrl($"{url.Host} resolves to a loopback, private or link-local address; webhooks are only sent to public addresses.");
            }
        }

        return url!;
    }

    /// <summary>A JSON array of strings, or a comma-separated list (form bodies).</summary>
    private static IReadOnlyList<string> ParseEvents(string value)
    {
        var hint = $"Subscribe to {string.Join(", ", WebhookEventTypes.Subscribable)}, or \"*\" for every type.";
        IEnumerable<string> requested;
        if (value.TrimStart().StartsWith('['))
        {
            try
            {
                var names = JsonSerializer.Deserialize<string?[]>(value) ?? [];
                if (names.Any(n => n is null))
                {
                    throw new JsonException("null is not an event type name");
                }

                requested = names!;
            }
            catch (JsonException)
            {
                throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidWebhookEvent, "events must be an array of event type names.", hint));
            }
        }
        else
        {
            requested = value.Split(',');
        }

        var (types, unknown) = WebhookEventTypes.Normalize(requested);
        if (unknown is not null)
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidWebhookEvent, $"Unknown event type '{unknown}'.", hint));
        }

        return types is { Count: > 0 } ? types : throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidWebhookEvent, "events names no event type.", hint));
    }

    private static string? Description(IReadOnlyDictionary<string, string> fields)
    {
        if (!fields.TryGetValue("description", out var d))
        {
            return null;
        }

        d = d.Trim();
        return d.Length <= MaxDescription ? d : throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, $"description is longer than {MaxDescription} characters."));
    }

    private static void RefuseUnknown(IReadOnlyDictionary<string, string> fields, HashSet<string> allowed)
    {
        foreach (var name in fields.Keys)
        {
            if (!allowed.Contains(name))
            {
                throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.UnknownField, $"Unknown field '{name}'.", "Fields: " + string.Join(", ", allowed.Where(f => f != "apikey")) + "."));
            }
        }
    }

    private static ApiErrorException InvalidUrl(string message) =>
        new(ApiError.BadRequest(ErrorCodes.InvalidWebhookUrl, message, "Give the https URL of your receiver, reachable from the internet."));

    private static ApiErrorException NotFound(string webhookId) =>
        new(new ApiError(404, ErrorCodes.WebhookNotFound, $"No webhook endpoint '{webhookId}' in this account."));

    [LoggerMessage(LogLevel.Information, "Webhook endpoint {WebhookId} created for account {AccountId}")]
    private static partial void LogCreated(ILogger logger, string webhookId, string accountId);

    [LoggerMessage(LogLevel.Information, "Webhook endpoint {WebhookId} updated (enabled {Enabled})")]
    private static partial void LogUpdated(ILogger logger, string webhookId, bool enabled);

    [LoggerMessage(LogLevel.Information, "Webhook endpoint {WebhookId} of account {AccountId} deleted")]
    private static partial void LogDeleted(ILogger logger, string webhookId, string accountId);

    [LoggerMessage(LogLevel.Information, "Webhook endpoint {WebhookId}: signing secret rotated")]
    private static partial void LogRotated(ILogger logger, string webhookId);
}

/// <summary>An endpoint as the API shows it. <see cref="Secret"/> only in the creation response; <see cref="PendingDeliveries"/> only from GET /api/webhooks/{id}.</summary>
public sealed record WebhookView(
    string Id,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastDeliveryAt,
    string? LastStatus,
    string? LastError,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    int ConsecutiveFailures,
    DateTimeOffset? FailingSince,
    string? DisabledReason,
    DateTimeOffset? DisabledAt)
{
    public int? PendingDeliveries { get; init; }

    public string? Secret { get; init; }

    public static WebhookView From(WebhookEndpoint w)
    {
        ArgumentNullException.ThrowIfNull(w);
        var h = w.Health;
        return new(w.Id, w.Url, w.Events, w.Enabled, w.Description, w.CreatedAt, w.UpdatedAt, h.LastDeliveryAt, h.LastStatus, h.LastError, h.LastSuccessAt, h.LastFailureAt, h.ConsecutiveFailures, h.FailingSince, h.DisabledReason, h.DisabledAt);
    }
}

public sealed record DeletedView(string Id, bool Deleted);

public sealed record RotatedView(string Id, string Secret, DateTimeOffset? PreviousSecretExpiresAt);

public sealed record TestView(bool Delivered, int? StatusCode, string Status, string? Error, long DurationMs);
