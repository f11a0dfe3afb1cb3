using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QRCoder;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Errors;
using WaServerless.Core.Messages;
using WaServerless.Core.Sending;
using WaServerless.Core.Sessions;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Sessions;

/// <summary>
/// The sessions API, scoped to the caller's account. The API writes only what the owner wants
/// (create, logout, delete, a pair-code request); the connector that owns the session carries it
/// out and writes the state, QR and pair codes, which these endpoints read back.
/// </summary>
public sealed partial class SessionsHandler(
    RequestFieldsReader reader,
    SessionStore sessions,
    IOptions<SessionOptions> sessionOptions,
    EngineAddressIndex addresses,
    IOptions<WahaSendingOptions> waha,
    WaServerless.Storage.Accounts.PlanCatalog plans,
    TimeProvider time,
    ILogger<SessionsHandler> logger)
{
    private static readonly TimeSpan PairCodeWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan EventPoll = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxStream = TimeSpan.FromMinutes(10);

    public async Task<IActionResult> CreateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await CreateAsync(await reader.ReadAsync(request, cancellationToken), request.Caller(), cancellationToken);
    }

    /// <summary>A new session from native fields (name, engine, phone_number_id): POST /api/sessions and the surfaces that create sessions.</summary>
    public async Task<IActionResult> CreateAsync(IReadOnlyDictionary<string, string> fields, WaServerless.Core.Accounts.Caller caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(caller);
        var name = fields.TryGetValue("name", out var n) && !string.IsNullOrWhiteSpace(n) ? n.Trim() : "session";
        if (name.Length > 100)
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, "name is longer than 100 characters."));
        }

        var engine = ChooseEngine(fields.TryGetValue("engine", out var e) ? e : null);
        var number = fields.TryGetValue("phone_number_id", out var p) && !string.IsNullOrWhiteSpace(p) ? p.Trim() : null;
        if (number is not null && (engine != EngineNames.CloudApi || number.Length is < 5 or > 20 || !number.All(char.IsAsciiDigit)))
        {
            throw new ApiErrorException(ApiError.BadRequest(
                ErrorCodes.InvalidField,
                engine == EngineNames.CloudApi ? "phone_number_id must be the numeric id Meta gives the business number (not the number itself)." : "phone_number_id applies to cloudapi sessions only.",
                "Find it in WhatsApp Manager > Phone numbers, or leave it out for the deployment's number."));
        }

        // The plan's number of sessions (as data, per plan); counted from the account's rows, so it holds across instances
        // but for two creations at the same moment, which may pass it by one.
        if (plans.PlanOf(caller.Account).MaxSessions is { } maxSessions
            && (await sessions.ListAsync(caller.Account.Id, cancellationToken)).Count(s => s.Desire != SessionDesire.Deleted) >= maxSessions)
        {
            return ApiResults.Error(new ApiError(403, ErrorCodes.SessionLimitReached, $"The {caller.Account.Plan} plan allows {maxSessions} WhatsApp sessions, and the account has them all.", "Delete a session (DELETE /api/sessions/{id}), or move to a plan with more."));
        }

        var (session, _) = await sessions.CreateAsync(caller.Account.Id, null, name, engine, number, cancellationToken);
        if (number is not null && await addresses.BindAsync(EngineNames.CloudApi, number, session.Key, cancellationToken) != session.Key)
        {
            // One number, one session across all accounts: nobody else may send as it.
            await sessions.DeleteAsync(session.AccountId, session.SessionId, cancellationToken);
            return ApiResults.Error(new ApiError(409, ErrorCodes.PhoneNumberInUse, "That phone_number_id belongs to another session.", "Use that session, or delete it first."));
        }

        LogCreated(logger, session.SessionId, caller.Account.Id);
        return new JsonApiResult(StatusCodes.Status201Created, new DataResponse<SessionView>(true, View(session)));
    }

    private string ChooseEngine(string? requested)
    {
        var allowed = sessionOptions.Value.Engines;
        if (string.IsNullOrWhiteSpace(requested))
        {
            return sessionOptions.Value.DefaultEngine;
        }

        var engine = EngineNames.Normalize(requested);
        return engine is not null && allowed.Contains(engine)
            ? engine
            : throw new ApiErrorException(ApiError.BadRequest(
                ErrorCodes.InvalidEngine,
                $"engine '{requested.Trim()}' is not available here.",
                $"Use one of: {string.Join(", ", allowed)}."));
    }

    public async Task<IActionResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var list = await sessions.ListAsync(caller.Account.Id, cancellationToken);
        return ApiResults.Ok(list.OrderBy(s => s.CreatedAt).Select(View).ToList());
    }

    public async Task<IActionResult> GetAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken)
    {
        return ApiResults.Ok(View(await FindAsync(request, sessionId, cancellationToken)));
    }

    /// <summary>The current QR code: a PNG when the client asks for image/png (or ?format=png), else JSON with the raw code.</summary>
    public async Task<IActionResult> QrAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken)
    {
        var session = await FindAsync(request, sessionId, cancellationToken);
        if (session.State != SessionState.Pairing || session.QrCode is null)
        {
            return ApiResults.Error(new ApiError(409, ErrorCodes.SessionNotPairing, $"Session '{sessionId}' is {session.State.ToWire()}, not showing a QR code.", session.State == SessionState.Connected ? "It is already paired." : "Wait for the qr event (GET /api/sessions/{id}/events)."));
        }

        var wantsPng = string.Equals(request.Query["format"], "png", StringComparison.OrdinalIgnoreCase)
            || request.Headers.Accept.ToString().Contains("image/png", StringComparison.OrdinalIgnoreCase);
        if (wantsPng)
        {
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(session.QrCode, QRCodeGenerator.ECCLevel.M);
            return new BytesResult("image/png", new PngByteQRCode(data).GetGraphic(8));
        }

        return ApiResults.Ok(new QrView(session.QrCode, session.QrExpiresAt));
    }

    /// <summary>Asks the owning connector for a pair code and waits briefly for it; 202 when it has not come yet.</summary>
    public async Task<IActionResult> PairCodeAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken)
    {
        var fields = await reader.ReadAsync(request, cancellationToken);
        return await PairCodeAsync(request, sessionId, fields.TryGetValue("phone", out var p) ? p : null, cancellationToken);
    }

    /// <summary>The pair code for <paramref name="phoneText"/>, however the caller's API gave the phone.</summary>
    public async Task<IActionResult> PairCodeAsync(HttpRequest request, string sessionId, string? phoneText, CancellationToken cancellationToken)
    {
        var session = await FindAsync(request, sessionId, cancellationToken);
        var phone = (phoneText is not null ? PhoneNumberNormalizer.TryNormalize(phoneText) : null)
            ?? throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, "'phone' must be the session's own number in international format.", "For example +14155550123."));
        var engine = session.Engine ?? sessionOptions.Value.DefaultEngine;
        if (EngineCapabilities.For(engine) is { } capabilities && !capabilities.CanPair(PairingMethods.PairCode))
        {
            throw new ApiErrorException(new ApiError(422, ErrorCodes.PairingNotSupported, $"Session '{sessionId}' runs on the {engine} engine, which has no pair codes.", capabilities.Pairing == PairingMethods.None ? "Its number is registered with the engine's provider; there is nothing to pair." : "Pair it by QR code instead."));
        }

        if (session.State == SessionState.Connected)
        {
            throw new ApiErrorException(new ApiError(409, ErrorCodes.SessionNotPairing, $"Session '{sessionId}' is already paired."));
        }

        await sessions.RequestPairCodeAsync(session.AccountId, session.SessionId, phone, cancellationToken);
        var deadline = time.GetUtcNow() + PairCodeWait;
        while (time.GetUtcNow() < deadline)
        {
            var current = await sessions.GetAsync(session.AccountId, session.SessionId, cancellationToken);
            if (current?.PairCode is { } code)
            {
                return ApiResults.Ok(new PairCodeView(code, phone, "pair_code"));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }

        return new JsonApiResult(StatusCodes.Status202Accepted, new DataResponse<PairCodeView>(true, new PairCodeView(null, phone, "requested")));
    }

    public Task<IActionResult> LogoutAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        DesireAsync(request, sessionId, SessionDesire.LoggedOut, cancellationToken);

    public Task<IActionResult> DeleteAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken) =>
        DesireAsync(request, sessionId, SessionDesire.Deleted, cancellationToken);

    /// <summary>Server-Sent Events: qr, pair_code, connected, disconnected, logged_out, failed, as they are stored.</summary>
    /// <param name="rename">A surface's names for the events (null skips one); the native names when left out.</param>
    public async Task<IActionResult> EventsAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken, Func<string, string?>? rename = null)
    {
        var session = await FindAsync(request, sessionId, cancellationToken);
        var lastEventId = request.Headers["Last-Event-ID"].ToString();
        var cursor = string.IsNullOrEmpty(lastEventId) ? sessions.EventCursorNow() : lastEventId;
        return new SseResult(async (write, ct) =>
        {
            if ((rename ?? (n => n))("state") is { } stateName)
            {
                await write(stateName, "0", JsonSerializer.Serialize(new { state = session.State.ToWire() }, WireJson.Options));
            }

            var end = time.GetUtcNow() + MaxStream;
            while (!ct.IsCancellationRequested && time.GetUtcNow() < end)
            {
                foreach (var e in await sessions.ReadEventsAsync(session.AccountId, session.SessionId, cursor, ct))
                {
                    if ((rename ?? (n => n))(e.Type) is { } name)
                    {
                        await write(name, e.Id, e.Data);
                    }

                    cursor = e.Id;
                }

                await Task.Delay(EventPoll, time, ct);
            }
        });
    }

    /// <summary>
    /// POST /api/sessions/{id}/reconnect: a failed session (it gave up reconnecting) or one logged out
    /// from the phone comes back: the connector takes it again, resuming with its saved credentials or
    /// pairing anew. A session being deleted cannot.
    /// </summary>
    public async Task<IActionResult> ReconnectAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken)
    {
        var session = await FindAsync(request, sessionId, cancellationToken);
        if (session.Desire == SessionDesire.Deleted)
        {
            return ApiResults.Error(new ApiError(409, ErrorCodes.SessionNotFound, $"Session '{sessionId}' is being deleted."));
        }

        await sessions.RequestReconnectAsync(session.AccountId, session.SessionId, cancellationToken);
        LogDesire(logger, session.SessionId, SessionDesire.Active);
        return new JsonApiResult(StatusCodes.Status202Accepted, new DataResponse<SessionView>(true, View(session) with { Requested = "reconnect" }));
    }

    private async Task<IActionResult> DesireAsync(HttpRequest request, string sessionId, SessionDesire desire, CancellationToken cancellationToken)
    {
        var session = await FindAsync(request, sessionId, cancellationToken);
        await sessions.SetDesireAsync(session.AccountId, session.SessionId, desire, cancellationToken);
        LogDesire(logger, session.SessionId, desire);
        return new JsonApiResult(StatusCodes.Status202Accepted, new DataResponse<SessionView>(true, View(session) with { Requested = desire == SessionDesire.Deleted ? "delete" : "logout" }));
    }

    private async Task<SessionRecord> FindAsync(HttpRequest request, string sessionId, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? fields = null)
    {
        var caller = request.Caller();
        return await sessions.RequireAsync(caller.Account.Id, sessionId, cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Session {SessionId} created for account {AccountId}")]
    private static partial void LogCreated(ILogger logger, string sessionId, string accountId);

    private SessionView View(SessionRecord session) => SessionView.From(session, waha.Value.ButtonsFallback);

    [LoggerMessage(LogLevel.Information, "Session {SessionId}: owner asks for {Desire}")]
    private static partial void LogDesire(ILogger logger, string sessionId, SessionDesire desire);
}

/// <param name="Capabilities">What the session's engine can do, so a client knows before it sends; null for an engine this API does not know.</param>
public sealed record SessionView(string Id, string Name, string State, string? Engine, string? PhoneNumberId, string? Phone, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? ConnectedAt, string? Requested, CapabilitiesView? Capabilities = null)
{
    public static SessionView From(SessionRecord s, ButtonsFallback wahaButtons = ButtonsFallback.NumberedText)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new(s.SessionId, s.Name, s.State.ToWire(), s.Engine, s.EngineAddress, s.Phone, s.LastError, s.CreatedAt, s.UpdatedAt, s.ConnectedAt, null, CapabilitiesView.Of(EngineCapabilities.For(s.Engine, wahaButtons)));
    }
}

/// <summary>An engine's capabilities as GET /api/sessions/{id} shows them.</summary>
/// <param name="Pairing">"qr" and "code", or none (the Cloud API: the number is registered with Meta).</param>
/// <param name="Carousels">"native", "meta_interactive" (Meta's rules apply) or "cards_as_messages".</param>
public sealed record CapabilitiesView(IReadOnlyList<string> Pairing, IReadOnlyList<string> MessageTypes, bool Groups, bool NumberChecks, bool CallButtons, string Carousels)
{
    public static CapabilitiesView? Of(EngineCapabilities? capabilities) => capabilities is null
        ? null
        : new(
            [.. new[] { (PairingMethods.QrCode, "qr"), (PairingMethods.PairCode, "code") }.Where(p => capabilities.CanPair(p.Item1)).Select(p => p.Item2)],
            [.. Enum.GetValues<MessageType>().Where(capabilities.CanSend).Select(t => t.ToWire())],
            capabilities.Groups,
            capabilities.NumberChecks,
            capabilities.CallButtons,
            capabilities.Carousels switch
            {
                CarouselSupport.MetaInteractive => "meta_interactive",
                CarouselSupport.CardsAsMessages => "cards_as_messages",
                _ => "native",
            });
}

public sealed record QrView(string Code, DateTimeOffset? ExpiresAt);

public sealed record PairCodeView(string? Code, string Phone, string Status);

/// <summary>Raw bytes with a content type (the QR PNG).</summary>
public sealed class BytesResult(string contentType, byte[] bytes) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.HttpContext.Response.StatusCode = StatusCodes.Status200OK;
        context.HttpContext.Response.ContentType = contentType;
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        await context.HttpContext.Response.Body.WriteAsync(bytes, context.HttpContext.RequestAborted);
    }
}

/// <summary>A text/event-stream response that runs until the client goes away or the producer ends.</summary>
public sealed class SseResult(Func<Func<string, string, string, Task>, CancellationToken, Task> produce) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var aborted = context.HttpContext.RequestAborted;
        await response.Body.FlushAsync(aborted);
        try
        {
            await produce(
                async (type, id, data) =>
                {
                    var frame = $"event: {type}\nid: {id}\ndata: {data.Replace("\n", "\ndata: ", StringComparison.Ordinal)}\n\n";
                    await response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), aborted);
                    await response.Body.FlushAsync(aborted);
                },
                aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
