using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Api.Sending;
using WaServerless.Api.Sessions;
using WaServerless.Core.Accounts;
using WaServerless.Core.Bulk;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Core.Sessions;
using WaServerless.Core.Text;
using WaServerless.Storage.Accounts;
using WaServerless.Storage.Campaigns;
using WaServerless.Storage.Messages;
using WaServerless.Storage.Sessions;
using WaServerless.Workflows;
using WaServerless.Workflows.Campaigns;
using WaServerless.Workflows.Signals;

namespace WaServerless.Api.Bulk;

/// <summary>
/// The bulk API: POST /api/bulk creates a campaign (one content, or a {{variable}} template, to many
/// recipients, spaced by an interval with jitter inside a daily window), GET /api/bulk/{id} shows its
/// progress, GET /api/bulk lists them, and pause, resume and cancel steer it. Key holders only, on
/// plans with the bulk API, and only ever their own account's campaigns (another account's id is a
/// 404). Recipients are validated and de-duplicated before anything is stored; rows that fail are
/// reported (row, input, error code) and left out. The request stays short whatever the list's
/// size: it stores the cleaned list as one blob (<see cref="CampaignRecipientListStore"/>) and the
/// campaign row (status preparing), starts the BulkCampaign orchestration through the
/// <see cref="IWorkflowClient"/> the host passes (Durable Functions in Azure, the Durable Task engine on Azurite in
/// the devhost) and answers 202; the orchestration's first phase writes the recipient rows.
/// </summary>
public sealed partial class BulkHandler(
    BulkRequestReader bulkReader,
    RequestFieldsReader fieldsReader,
    PlanCatalog plans,
    SessionStore sessions,
    CampaignStore campaigns,
    CampaignUploadStore uploads,
    CampaignRecipientListStore recipientLists,
    MessageStore messages,
    WorkflowDispatcher dispatcher,
    MediaGuard media,
    EngineSupport engines,
    IOptions<BulkOptions> options,
    TimeProvider time,
    ILogger<BulkHandler> logger)
{
    public const int DefaultListLimit = 50;
    public const int MaxListLimit = 200;

    private const int ErrorsInRefusal = 5;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    private enum Control
    {
        Pause,
        Resume,
        Cancel,
    }

    public async Task<IActionResult> CreateAsync(HttpRequest request, IWorkflowClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var body = await bulkReader.ReadAsync(request, cancellationToken);
        var caller = request.Caller();
        var plan = plans.PlanOf(caller.Account);
        if (!plan.BulkApi)
        {
            return ApiResults.Error(new ApiError(403, ErrorCodes.BulkNotAllowed, $"The {plan.Name} plan does not include the bulk API.", "Ask the operator for a plan with bulk sending, or send one by one with POST /api/send."));
        }

        var o = options.Value;
        var parsed = BulkCampaignRequestParser.Parse(body.Fields, new CampaignIntervalLimits(o.DefaultInterval, o.MaxInterval));
        var sessionId = parsed.Session ?? caller.Account.DefaultSessionId;
        var session = await sessions.RequireAsync(caller.Account.Id, sessionId, cancellationToken);
        if (engines.Refusal(session, parsed.Content, null) is { } unsupported)
        {
            return ApiResults.Error(unsupported);
        }

        var builder = new RecipientListBuilder(parsed.Content, o.MaxRecipients, o.MaxReportedErrors);
        ReadRecipients(body, parsed, builder);
        if (builder.Recipients.Count == 0)
        {
            return ApiResults.Error(NoRecipients(builder));
        }

        var unfilled = builder.Placeholders.Where(p => !builder.Provided.Contains(p)).ToList();
        if (unfilled.Count > 0)
        {
            return ApiResults.Error(ApiError.BadRequest(
                ErrorCodes.InvalidTemplate,
                $"The text uses {string.Join(", ", unfilled.Select(p => "{{" + p + "}}"))}, but no recipient has a value for it.",
                "Give each recipient its variables ({\"recipient\": \"+14155550123\", \"variables\": {\"name\": \"Ada\"}}, or a CSV column of that name)."));
        }

        if (await media.CheckAsync(parsed.Content, plan, cancellationToken) is { } mediaError)
        {
            return ApiResults.Error(mediaError);
        }

        var sessionKey = SessionKey.Of(caller.Account.Id, session.SessionId);
        var campaignId = parsed.IdempotencyKey is { } idempotencyKey ? IdFor(caller, idempotencyKey) : CampaignStore.NewId();
        var now = time.GetUtcNow();
        var record = new CampaignRecord(
            campaignId,
            caller.Account.Id,
            caller.KeyId,
            sessionKey,
            parsed.Name ?? $"Campaign {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC",
            parsed.Content,
            parsed.Priority.Value,
            parsed.Spacing,
            builder.Recipients.Count,
            CampaignStatus.Preparing,
            null,
            now,
            now);

        // A campaign row always has its list: the list is stored first, once (a repeat with other
        // recipients is refused), then the row. The orchestration writes the recipient rows from it.
        var existing = parsed.IdempotencyKey is null ? null : await campaigns.GetAsync(caller.Account.Id, campaignId, cancellationToken);
        string? uploadName = body.Upload is { } upload ? CampaignUploadStore.BlobNameFor(caller.Account.Id, campaignId, upload) : null;
        var stored = existing;
        if (stored is null)
        {
            if (body.Upload is { } file)
            {
                await uploads.SaveAsync(caller.Account.Id, campaignId, file, builder.Rows, cancellationToken);
            }

            if (!await recipientLists.SaveAsync(caller.Account.Id, campaignId, builder.Recipients, cancellationToken))
            {
                // Another request with this key stored other recipients a moment ago.
                return ApiResults.Error(new ApiError(409, ErrorCodes.IdempotencyMismatch, "This idempotency_key already created a different campaign.", "Use a new idempotency_key for a different campaign."));
            }

            (stored, var created) = await campaigns.AddAsync(record, cancellationToken);
            existing = created ? null : stored;
        }

        var replayed = existing is not null;
        if (replayed && !IsSameCampaign(existing!, record))
        {
            return ApiResults.Error(new ApiError(409, ErrorCodes.IdempotencyMismatch, "This idempotency_key already created a different campaign.", "Use a new idempotency_key for a different campaign."));
        }

        if (stored.Status == CampaignStatus.Preparing || stored.Status.IsActive())
        {
            // A no-op when it is running already: a retry after a failed start starts it here.
            await dispatcher.StartCampaignAsync(client, caller.Account.Id, campaignId, cancellationToken);
        }

        var progress = replayed ? await campaigns.GetProgressAsync(campaignId, cancellationToken) : null;
        LogCreated(logger, campaignId, caller.Account.Id, builder.Recipients.Count, builder.ErrorCount, replayed);
        var report = new RecipientReportView(
            builder.Rows,
            builder.Recipients.Count,
            builder.Invalid,
            builder.Duplicates,
            builder.Errors,
            builder.ErrorCount - builder.Errors.Count,
            uploadName is null ? null : CampaignUploadStore.ContainerName + "/" + uploadName);
        var message = (replayed ? "Campaign already created under this idempotency_key" : "Campaign accepted")
            + $": {builder.Recipients.Count} recipients"
            + (builder.ErrorCount > 0 ? $"; {builder.ErrorCount} rows left out (data.recipients.errors)." : ".")
            + (stored.Status == CampaignStatus.Preparing ? " Its recipients are being stored; releasing starts once they are." : string.Empty)
            + $" Follow it at GET /api/bulk/{campaignId}.";
        return new JsonApiResult(
            StatusCodes.Status202Accepted,
            new CampaignCreated(true, message, new CampaignCreatedData(View(stored, progress, null), report)),
            new Dictionary<string, string> { ["Location"] = $"/api/bulk/{campaignId}" });
    }

    /// <summary>GET /api/bulk/{id}: the campaign and its progress, with its messages counted by status.</summary>
    public async Task<IActionResult> GetAsync(HttpRequest request, string campaignId, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var campaign = await FindAsync(caller, campaignId, cancellationToken);
        var progress = await campaigns.GetProgressAsync(campaign.CampaignId, cancellationToken);
        var counts = await CountAsync(campaign, progress, cancellationToken);
        return ApiResults.Ok(View(campaign, progress, counts));
    }

    /// <summary>GET /api/bulk?status=&amp;limit=: the account's campaigns, newest first, with their release progress.</summary>
    public async Task<IActionResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var q = request.Query;
        var limit = QueryLimit.Read(q, DefaultListLimit, MaxListLimit, ErrorCodes.InvalidQuery);

        CampaignStatus? status = null;
        if (q.TryGetValue("status", out var statusText))
        {
            status = CampaignStatusRules.TryParse(statusText.ToString(), out var parsedStatus)
                ? parsedStatus
                : throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidQuery, $"Unknown campaign status '{Clip.Preview(statusText.ToString())}'.", "One of: " + string.Join(", ", Enum.GetValues<CampaignStatus>().Select(s => s.ToWire())) + "."));
        }

        var all = await campaigns.ListAsync(caller.Account.Id, cancellationToken);
        var matching = all.Where(c => status is null || c.Status == status).ToList();
        var page = matching.Take(limit).ToList();
        var progress = new CampaignProgress?[page.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, page.Count),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (i, ct) => progress[i] = await campaigns.GetProgressAsync(page[i].CampaignId, ct));
        return ApiResults.Ok(new CampaignListView(page.Select((c, i) => View(c, progress[i], null)).ToList(), matching.Count));
    }

    public Task<IActionResult> PauseAsync(HttpRequest request, string campaignId, IWorkflowClient client, CancellationToken cancellationToken) =>
        ControlAsync(request, campaignId, client, Control.Pause, cancellationToken);

    public Task<IActionResult> ResumeAsync(HttpRequest request, string campaignId, IWorkflowClient client, CancellationToken cancellationToken) =>
        ControlAsync(request, campaignId, client, Control.Resume, cancellationToken);

    /// <summary>Stops every recipient not yet released; released ones are messages of their own and keep their status.</summary>
    public Task<IActionResult> CancelAsync(HttpRequest request, string campaignId, IWorkflowClient client, CancellationToken cancellationToken) =>
        ControlAsync(request, campaignId, client, Control.Cancel, cancellationToken);

    private async Task<IActionResult> ControlAsync(HttpRequest request, string campaignId, IWorkflowClient client, Control control, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var fields = HasBody(request) ? await fieldsReader.ReadAsync(request, cancellationToken) : null;
        var caller = request.Caller();
        var campaign = await FindAsync(caller, campaignId, cancellationToken);
        var accountId = caller.Account.Id;
        var done = campaign.Status == CampaignStatus.Cancelled && control == Control.Cancel
            || control switch
            {
                Control.Pause => await dispatcher.PauseCampaignAsync(client, accountId, campaign.CampaignId, null, cancellationToken),
                Control.Resume => await dispatcher.ResumeCampaignAsync(client, accountId, campaign.CampaignId, null, cancellationToken),
                _ => await dispatcher.CancelCampaignAsync(client, accountId, campaign.CampaignId, null, cancellationToken),
            };
        var current = await campaigns.GetAsync(accountId, campaign.CampaignId, cancellationToken) ?? throw NotFound(campaignId);
        if (!done)
        {
            var verb = control switch { Control.Pause => "paused", Control.Resume => "resumed", _ => "cancelled" };
            return ApiResults.Error(new ApiError(
                409,
                ErrorCodes.CampaignNotActive,
                current.Status == CampaignStatus.Preparing
                    ? $"Campaign {current.CampaignId} is still preparing (its recipients are being stored); it cannot be {verb} yet."
                    : $"Campaign {current.CampaignId} is {current.Status.ToWire()}; it can no longer be {verb}.",
                "GET /api/bulk/{id} shows its status."));
        }

        LogControlled(logger, campaign.CampaignId, accountId, control.ToString(), current.Status.ToWire());
        var progress = await campaigns.GetProgressAsync(campaign.CampaignId, cancellationToken);
        return ApiResults.Ok(View(current, progress, null));
    }

    private static void ReadRecipients(BulkRequestBody body, BulkCampaignRequest parsed, RecipientListBuilder builder)
    {
        if (body.Upload is { } upload)
        {
            if (upload.IsJson)
            {
                ReadJsonArrayText(BulkRequestReader.Decode(upload.Content, "The recipients file"), "The recipients file", builder);
            }
            else
            {
                RecipientSources.ReadCsv(BulkRequestReader.Decode(upload.Content, "The recipients file"), parsed.RecipientColumn, builder);
            }
        }
        else if (body.RecipientsJson is { } json)
        {
            RecipientSources.ReadJsonArray(json, builder);
        }
        else if (body.RecipientsText is { } text && !string.IsNullOrWhiteSpace(text))
        {
            var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
            if (trimmed.StartsWith('['))
            {
                ReadJsonArrayText(trimmed, "'recipients'", builder);
            }
            else if (LooksLikeCsv(trimmed, parsed.RecipientColumn))
            {
                RecipientSources.ReadCsv(trimmed, parsed.RecipientColumn, builder);
            }
            else
            {
                RecipientSources.ReadList(trimmed, builder);
            }
        }
        else
        {
            throw new ApiErrorException(ApiError.BadRequest(
                ErrorCodes.InvalidRecipients,
                "The campaign has no recipients.",
                "Give 'recipients' as a JSON array, or upload a CSV (with a header row naming a 'recipient' column) as a file field named 'recipients'."));
        }
    }

    private static void ReadJsonArrayText(string text, string what, RecipientListBuilder builder)
    {
        JsonDocument document;
        try
        {
            document = StrictJson.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipients, $"{what} is not a valid JSON array: {e.Message}"));
        }

        using (document)
        {
            RecipientSources.ReadJsonArray(document.RootElement, builder);
        }
    }

    /// <summary>Text whose first line is a header naming the recipient column is CSV; anything else is a list of numbers.</summary>
    private static bool LooksLikeCsv(string text, string recipientColumn)
    {
        var end = text.AsSpan().IndexOfAny('\r', '\n');
        if (end < 0)
        {
            return false;
        }

        var firstLine = text[..end];
        var delimiter = CsvReader.DetectDelimiter(firstLine);
        return firstLine.Split(delimiter).Any(cell => string.Equals(cell.Trim().Trim('"'), recipientColumn, StringComparison.OrdinalIgnoreCase));
    }

    private static ApiError NoRecipients(RecipientListBuilder builder)
    {
        if (builder.Rows == 0)
        {
            return ApiError.BadRequest(ErrorCodes.InvalidRecipients, "The campaign has no recipients: the list is empty.", "Give at least one phone number in international format, for example +14155550123.");
        }

        var first = string.Join("; ", builder.Errors.Take(ErrorsInRefusal).Select(e => $"row {e.Row} ('{e.Input}'): {e.ErrorCode}"));
        var more = builder.ErrorCount > ErrorsInRefusal ? $"; and {builder.ErrorCount - ErrorsInRefusal} more" : string.Empty;
        return ApiError.BadRequest(
            ErrorCodes.InvalidRecipients,
            $"None of the {builder.Rows} rows is a recipient the campaign can send to: {first}{more}.",
            "Give numbers in international format with the country code, for example +14155550123.");
    }

    private async Task<CampaignRecord> FindAsync(Caller caller, string campaignId, CancellationToken cancellationToken)
    {
        if (!IsCampaignId(campaignId))
        {
            throw NotFound(campaignId);
        }

        return await campaigns.GetAsync(caller.Account.Id, campaignId, cancellationToken) ?? throw NotFound(campaignId);
    }

    // Clock skew between the hosts that accepted its messages, either side of the campaign's lifetime.
    private static readonly TimeSpan CountSkew = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Its released messages by status: each recipient became a message under the idempotency key
    /// "campaign:{id}:{index}", accepted between the campaign's creation and its last release.
    /// </summary>
    private async Task<MessageStatusCounts> CountAsync(CampaignRecord campaign, CampaignProgress? progress, CancellationToken cancellationToken)
    {
        if (progress is null || progress.Released == 0)
        {
            return new MessageStatusCounts(0, 0, 0, 0, 0, 0);
        }

        var now = time.GetUtcNow();
        var latest = campaign.Status.IsFinal() && progress.UpdatedAt < now ? progress.UpdatedAt : now;
        var prefix = MessageStoreCampaignSendAcceptor.IdempotencyKeyFor(campaign.CampaignId, 0)[..^1];
        return await messages.CountByIdempotencyPrefixAsync(campaign.AccountId, prefix, campaign.CreatedAt - CountSkew, latest + CountSkew, cancellationToken);
    }

    private CampaignView View(CampaignRecord campaign, CampaignProgress? progress, MessageStatusCounts? counts)
    {
        var nextIndex = Math.Min(progress?.NextIndex ?? 0, campaign.Total);
        var unreleased = campaign.Total - nextIndex;
        var pending = campaign.Status.IsFinal() ? 0 : unreleased;
        var cancelled = (campaign.Status == CampaignStatus.Cancelled ? unreleased : 0) + (counts?.Cancelled ?? 0);
        DateTimeOffset? nextRelease = null;
        if (campaign.Status == CampaignStatus.Running && pending > 0)
        {
            nextRelease = BulkSpacingPlan.For(campaign.Spacing, campaign.CampaignId).NextRelease(time.GetUtcNow(), progress?.LastReleaseAt, nextIndex);
        }

        var priority = Priority.FromValue(campaign.Priority);
        var s = campaign.Spacing;
        return new CampaignView(
            campaign.CampaignId,
            campaign.Name,
            campaign.Status.ToWire(),
            campaign.StatusReason,
            campaign.Content.Type.ToWire(),
            priority.Value,
            priority.Label,
            SessionKey.NameOf(campaign.SessionKey),
            new CampaignScheduleView(
                s.Interval.TotalSeconds,
                s.Jitter,
                s.WindowStart?.ToString("HH:mm", CultureInfo.InvariantCulture),
                s.WindowEnd?.ToString("HH:mm", CultureInfo.InvariantCulture),
                s.TimeZone),
            new CampaignProgressView(
                campaign.Total,
                pending,
                progress?.Released ?? 0,
                progress?.Skipped ?? 0,
                counts?.Queued,
                counts?.Sent,
                counts?.Delivered,
                counts?.Read,
                counts?.Failed,
                cancelled,
                nextRelease),
            campaign.CreatedAt,
            campaign.UpdatedAt);
    }

    private static bool IsSameCampaign(CampaignRecord existing, CampaignRecord requested) =>
        existing.Content == requested.Content
        && existing.Priority == requested.Priority
        && existing.Spacing == requested.Spacing
        && existing.SessionKey == requested.SessionKey
        && existing.Total == requested.Total;

    /// <summary>The campaign an idempotency_key stands for (shaped like <see cref="CampaignStore.NewId"/>'s): a retry of a create finds the campaign the first attempt made.</summary>
    private static string IdFor(Caller caller, string idempotencyKey) =>
        "cmp_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caller.Account.Id + "\n" + caller.KeyId + "\n" + idempotencyKey)))[..20];

    /// <summary>The shape of <see cref="CampaignStore.NewId"/>'s ids (cmp_ and lowercase hex); anything else cannot be one, and never reaches the table.</summary>
    private static bool IsCampaignId(string? id) =>
        id is { Length: > 4 and <= 68 } && id.StartsWith("cmp_", StringComparison.Ordinal) && id.AsSpan(4).IndexOfAnyExcept(LowerHex) < 0;

    private static bool HasBody(HttpRequest request) =>
        !string.IsNullOrWhiteSpace(request.ContentType) && request.ContentLength is not 0;

    private static ApiErrorException NotFound(string campaignId) =>
        new(new ApiError(404, ErrorCodes.CampaignNotFound, $"No campaign '{Clip.Preview(campaignId)}' in this account."));

    [LoggerMessage(LogLevel.Information, "Campaign {CampaignId} of account {AccountId}: {Recipients} recipients, {LeftOut} rows left out (replayed {Replayed})")]
    private static partial void LogCreated(ILogger logger, string campaignId, string accountId, int recipients, int leftOut, bool replayed);

    [LoggerMessage(LogLevel.Information, "Campaign {CampaignId} of account {AccountId}: {Control}, now {Status}")]
    private static partial void LogControlled(ILogger logger, string campaignId, string accountId, string control, string status);
}

public sealed record CampaignCreated(bool Success, string Message, CampaignCreatedData Data);

public sealed record CampaignCreatedData(CampaignView Campaign, RecipientReportView Recipients);

/// <summary>What became of the rows: how many were read, taken, invalid and duplicates, the first errors, and how many more.</summary>
public sealed record RecipientReportView(int Rows, int Accepted, int Invalid, int Duplicates, IReadOnlyList<RecipientRowError> Errors, int ErrorsNotShown, string? Upload);

public sealed record CampaignView(
    string Id,
    string Name,
    string Status,
    string? StatusReason,
    string MessageType,
    int Priority,
    string PriorityLabel,
    string Session,
    CampaignScheduleView Schedule,
    CampaignProgressView Progress,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record CampaignScheduleView(double IntervalSeconds, double Jitter, string? WindowStart, string? WindowEnd, string TimeZone);

/// <summary>
/// Pending: not yet released. Released and skipped: settled by the orchestration. Queued, sent,
/// delivered, read and failed count the released messages by where they are now (sent includes
/// delivered and read; delivered includes read); only GET /api/bulk/{id} counts them. Cancelled: the
/// recipients a cancel stopped, and released messages cancelled since.
/// </summary>
public sealed record CampaignProgressView(
    int Total,
    int Pending,
    int Released,
    int Skipped,
    int? Queued,
    int? Sent,
    int? Delivered,
    int? Read,
    int? Failed,
    int Cancelled,
    DateTimeOffset? NextReleaseAt);

public sealed record CampaignListView(IReadOnlyList<CampaignView> Items, int Total);
