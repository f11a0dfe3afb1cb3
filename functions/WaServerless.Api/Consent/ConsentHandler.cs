using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Core.Consent;
using WaServerless.Core.Errors;
using WaServerless.Core.Sending;
using WaServerless.Core.Text;
using WaServerless.Storage.Messages;

namespace WaServerless.Api.Consent;

/// <summary>
/// GET, POST /api/optin and DELETE /api/optin/{number}: the recipients who opted in to the caller's
/// account. Consent lives on the row the accept path keeps for each recipient, so a send sees it
/// without a read of its own. A recipient who sent a stop word is refused 403 RECIPIENT_OPTED_OUT
/// until they send a start word or the account records their consent again here.
/// </summary>
public sealed partial class ConsentHandler(RequestFieldsReader reader, MessageStore messages, ILogger<ConsentHandler> logger)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public const int MaxPerRequest = 1000;
    public const int MaxNameLength = 256;
    private const string ListField = "opt-in";
    private static readonly HashSet<string> Fields = new([ListField, "apikey"], StringComparer.OrdinalIgnoreCase);

    public async Task<IActionResult> ListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var limit = QueryLimit.Read(request.Query, DefaultLimit, MaxLimit, ErrorCodes.InvalidField);
        var cursor = request.Query.TryGetValue("cursor", out var c) && !string.IsNullOrWhiteSpace(c) ? c.ToString() : null;
        if (cursor is not null && !MessageStore.IsRecipientRowKey(cursor))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidField, "cursor must be the next_cursor of the previous page."));
        }

        var (page, next) = await messages.ListOptedInAsync(caller.Account.Id, limit, cursor, cancellationToken);
        return ApiResults.Ok(new OptInPage([.. page.Select(r => new OptInView(r.Name, r.Number, r.At, r.Source))], next));
    }

    /// <summary>{"opt-in": [{"name": "Ada", "number": "+14155550123"}, ...]}: records each one's consent; it overrides an earlier stop word.</summary>
    public async Task<IActionResult> AddAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = await reader.ReadAsync(request, cancellationToken);
        var caller = request.Caller();
        if (fields.Keys.FirstOrDefault(k => !Fields.Contains(k)) is { } unknown)
        {
            throw Invalid($"Unknown field '{Clip.Preview(unknown)}'.", """Send {"opt-in": [{"name": "Ada", "number": "+14155550123"}]}.""");
        }

        var entries = Parse(fields.GetValueOrDefault(ListField));
        var added = 0;
        foreach (var (name, number) in entries)
        {
            if (await messages.SetConsentAsync(caller.Account.Id, number, RecipientConsent.OptedIn, name, ConsentSources.Api, cancellationToken))
            {
                added++;
            }
        }

        LogAdded(logger, caller.Account.Id, entries.Count, added);
        return ApiResults.Ok(new OptInAdded(entries.Count, added, [.. entries.Select(e => e.Number)]));
    }

    /// <summary>Removes a recipient's consent (sends to them are allowed again unless the plan requires opt-in); 404 when they had not opted in.</summary>
    public async Task<IActionResult> RemoveAsync(HttpRequest request, string number, CancellationToken cancellationToken)
    {
        var caller = request.Caller();
        var normalized = PhoneNumberNormalizer.TryNormalize(number)
            ?? throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipient, $"'{Clip.Preview(number)}' is not a phone number.", "Use international format, URL-encoded: DELETE /api/optin/%2B14155550123."));
        return await messages.RemoveOptInAsync(caller.Account.Id, normalized, cancellationToken)
            ? ApiResults.Ok(new OptInRemoved(normalized))
            : ApiResults.Error(new ApiError(404, ErrorCodes.OptInNotFound, $"{normalized} has not opted in to this account."));
    }

    private static List<(string? Name, string Number)> Parse(string? json)
    {
        const string Example = """{"opt-in": [{"name": "Ada", "number": "+14155550123"}]}""";
        if (string.IsNullOrWhiteSpace(json))
        {
            throw Invalid("'opt-in' is missing: give the recipients who opted in.", Example);
        }

        JsonDocument document;
        try
        {
            document = StrictJson.Parse(json, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException)
        {
            throw Invalid("'opt-in' must be a JSON array of {name, number}.", Example);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array || document.RootElement.GetArrayLength() is 0 or > MaxPerRequest)
            {
                throw Invalid($"'opt-in' must be an array of 1 to {MaxPerRequest} entries.", Example);
            }

            var entries = new List<(string?, string)>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    throw Invalid($"opt-in[{index}] must be an object with 'number' and, optionally, 'name'.", Example);
                }

                var numberText = item.TryGetProperty("number", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                var number = numberText is null ? null : PhoneNumberNormalizer.TryNormalize(numberText);
                if (number is null)
                {
                    throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidRecipient, $"opt-in[{index}].number {(numberText is null ? "is missing or not a string" : $"'{Clip.Preview(numberText)}' is not a phone number")}.", "Use international format with the country code."));
                }

                string? name = null;
                if (item.TryGetProperty("name", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
                {
                    name = nameElement.ValueKind == JsonValueKind.String ? nameElement.GetString()!.Trim() : throw Invalid($"opt-in[{index}].name must be a string.");
                    if (name.Length > MaxNameLength || name.Any(char.IsControl))
                    {
                        throw Invalid($"opt-in[{index}].name must be at most {MaxNameLength} characters of text.");
                    }
                }

                if (seen.Add(number))
                {
                    entries.Add((string.IsNullOrEmpty(name) ? null : name, number));
                }

                index++;
            }

            return entries;
        }
    }

    private static ApiErrorException Invalid(string message, string? hint = null) =>
        new(ApiError.BadRequest(ErrorCodes.InvalidField, message, hint));

    [LoggerMessage(LogLevel.Information, "Account {AccountId} recorded the opt-in of {Count} recipients ({Added} new)")]
    private static partial void LogAdded(ILogger logger, string accountId, int count, int added);
}

public sealed record OptInView(string? Name, string Number, DateTimeOffset? OptedInAt, string? Source);

public sealed record OptInPage(IReadOnlyList<OptInView> Items, string? NextCursor);

public sealed record OptInAdded(int Received, int Added, IReadOnlyList<string> Numbers);

public sealed record OptInRemoved(string Number);
