using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;
using WaServerless.Core.Sending;
using WaServerless.Core.Sessions;
using WaServerless.Core.Text;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Lookups;

/// <summary>
/// GET /api/contacts/check?phone= and POST /api/contacts/check {"phones": [...]}: whether each
/// number is on WhatsApp, asked through the session's engine. Numbers are normalised first (one that
/// is not a phone number is answered "invalid", never asked); answers younger than
/// Lookups:NumberCheckCacheDuration are reused; what WhatsApp is asked counts against the key's
/// hourly allowance (429 with Retry-After when it is used up, and then nothing is asked).
/// </summary>
public sealed class NumberChecksHandler(
    RequestFieldsReader reader,
    SessionStore sessions,
    NumberCheckStore checks,
    IOptions<LookupOptions> options,
    TimeProvider time)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    // A request pending for less than this is already on its way: asked again, it would count twice.
    private static readonly TimeSpan PendingGrace = TimeSpan.FromMinutes(1);

    public async Task<IActionResult> CheckOneAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var caller = request.Caller();
        var phone = request.Query["phone"].ToString();
        if (string.IsNullOrWhiteSpace(phone))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.MissingRecipient, "The query parameter 'phone' is required.", "For example GET /api/contacts/check?phone=%2B14155550123."));
        }

        var (status, results) = await CheckAsync(caller, request.Query["session"].ToString(), [phone], cancellationToken);
        return status ?? new JsonApiResult(results[0].Status == "pending" ? StatusCodes.Status202Accepted : StatusCodes.Status200OK, new DataResponse<NumberCheckView>(true, results[0]));
    }

    public async Task<IActionResult> CheckManyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var fields = await reader.ReadAsync(request, cancellationToken);
        var caller = request.Caller();
        foreach (var name in fields.Keys)
        {
            if (name is not ("phones" or "session" or "apikey"))
            {
                throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.UnknownField, $"Unknown field '{Clip.Preview(name)}'.", "Give {\"phones\": [\"+14155550123\", ...]} and, optionally, \"session\"."));
            }
        }

        var phones = Phones(fields.TryGetValue("phones", out var raw) ? raw : null);
        var (status, results) = await CheckAsync(caller, fields.TryGetValue("session", out var session) ? session : null, phones, cancellationToken);
        if (status is not null)
        {
            return status;
        }

        var pending = results.Count(r => r.Status == "pending");
        return new JsonApiResult(
            pending > 0 ? StatusCodes.Status202Accepted : StatusCodes.Status200OK,
            new DataResponse<NumberChecksView>(true, new NumberChecksView(results, results.Count(r => r.Status == "checked"), pending, results.Count(r => r.Status == "invalid"))));
    }

    /// <summary>The checks of <paramref name="phones"/> through <paramref name="sessionId"/>, or the refusal (429) that asked nothing; for this API's routes and the surfaces'.</summary>
    public async Task<(IActionResult? Refusal, List<NumberCheckView> Results)> CheckAsync(Core.Accounts.Caller caller, string? sessionId, IReadOnlyList<string> phones, CancellationToken cancellationToken)
    {
        var session = await LookupSessions.RequireAsync(sessions, caller.Account, sessionId, c => c.NumberChecks, "check numbers", cancellationToken);
        var o = options.Value;
        var normalised = phones.Select(p => (Input: p, Number: PhoneNumberNormalizer.TryNormalize(p))).ToList();
        var numbers = normalised.Where(n => n.Number is not null).Select(n => n.Number!).Distinct(StringComparer.Ordinal).ToList();

        var now = time.GetUtcNow();
        var stored = await checks.GetAsync(caller.Account.Id, numbers, cancellationToken);
        bool Fresh(string n) => stored.TryGetValue(n, out var s) && s.CheckedAt is { } at && now - at <= o.NumberCheckCacheDuration;
        bool OnItsWay(string n) => stored.TryGetValue(n, out var s) && s.IsPending && now - s.RequestedAt < PendingGrace;
        var toAsk = numbers.Where(n => !Fresh(n) && !OnItsWay(n)).ToList();
        var waitFor = numbers.Where(n => !Fresh(n)).ToList();

        if (waitFor.Count > 0)
        {
            if (session.State != SessionState.Connected)
            {
                throw LookupSessions.Disconnected(session);
            }

            if (toAsk.Count > 0)
            {
                if (await checks.TryTakeAllowanceAsync(caller.Account.Id, caller.Key.KeyId, toAsk.Count, o.NumberChecksPerHour, cancellationToken) is { } retryAfter)
                {
                    var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    return (ApiResults.Error(
                        new ApiError(429, ErrorCodes.RateLimited, $"This key may have {o.NumberChecksPerHour} numbers checked by WhatsApp an hour; these {toAsk.Count} would pass it.", $"Retry after {seconds} s; answers already known are free."),
                        new Dictionary<string, string> { ["Retry-After"] = seconds, ["RateLimit-Limit"] = o.NumberChecksPerHour.ToString(CultureInfo.InvariantCulture), ["RateLimit-Reset"] = seconds }), []);
                }

                await checks.RequestAsync(caller.Account.Id, toAsk, cancellationToken);
            }

            await sessions.RequestNumberChecksAsync(session.AccountId, session.SessionId, cancellationToken);
            var deadline = time.GetUtcNow() + o.Wait;
            while (time.GetUtcNow() < deadline)
            {
                await Task.Delay(Poll, time, cancellationToken);
                stored = await checks.GetAsync(caller.Account.Id, numbers, cancellationToken);
                if (waitFor.All(n => stored.TryGetValue(n, out var s) && !s.IsPending))
                {
                    break;
                }
            }
        }

        return (null, [.. normalised.Select(n => View(n.Input, n.Number, n.Number is not null && stored.TryGetValue(n.Number, out var s) ? s : null))]);
    }

    private static NumberCheckView View(string input, string? number, StoredNumberCheck? stored) =>
        number is null
            ? new NumberCheckView(Clip.Preview(input), false, null, "invalid", null)
            : stored is { IsPending: false, Exists: { } exists }
                ? new NumberCheckView(number, exists, exists ? stored.WaId : null, "checked", stored.CheckedAt)
                : new NumberCheckView(number, null, null, "pending", null);

    /// <summary>A JSON array of strings (a JSON body, or JSON text in a form), or a comma-separated list.</summary>
    private static List<string> Phones(string? raw)
    {
        const string Example = "For example {\"phones\": [\"+14155550123\", \"+442071838750\"]}.";
        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipients, "'phones' is required: the numbers to check.", Example));
        }

        List<string> phones;
        if (raw.TrimStart().StartsWith('{'))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipients, "'phones' must be an array of numbers, not an object.", Example));
        }

        if (raw.TrimStart().StartsWith('['))
        {
            try
            {
                using var document = StrictJson.Parse(raw);
                phones = [];
                foreach (var item in document.RootElement.EnumerateArray())
                {
                    phones.Add(item.ValueKind == JsonValueKind.String
                        ? item.GetString()!
                        : throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipients, "Every entry of 'phones' must be a string.", Example)));
                }
            }
            catch (JsonException)
            {
                throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipients, "'phones' is not a valid JSON array.", Example));
            }
        }
        else
        {
            phones = [.. raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        }

        return phones.Count switch
        {
            0 => throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipients, "'phones' is empty.", Example)),
            > LookupOptions.MaxNumbersPerRequest => throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipients, $"At most {LookupOptions.MaxNumbersPerRequest} numbers per request; this one has {phones.Count}.")),
            _ => phones,
        };
    }
}

/// <param name="Number">The number as E.164, or the input (clipped) when it is not a phone number.</param>
/// <param name="Exists">Whether it is on WhatsApp (false for what is not a phone number); null while pending.</param>
/// <param name="Status">"checked", "pending" (ask again shortly: it is not asked twice) or "invalid".</param>
public sealed record NumberCheckView(string Number, bool? Exists, string? WaId, string Status, DateTimeOffset? CheckedAt);

public sealed record NumberChecksView(IReadOnlyList<NumberCheckView> Results, int Checked, int Pending, int Invalid);
