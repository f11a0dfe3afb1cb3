using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.Waha;

/// <summary>A WAHA session as GET /api/sessions/{name} describes it.</summary>
/// <param name="MeId">The linked account's id ("15551234567@c.us") once WORKING.</param>
public sealed record WahaSessionInfo(string Name, string Status, string? MeId);

/// <summary>WAHA answered a call with an error (or did not answer): what happened and whether trying again can help.</summary>
public sealed class WahaCallException : Exception
{
    public WahaCallException()
    {
    }

    public WahaCallException(string message)
        : base(message)
    {
    }

    public WahaCallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WahaCallException(HttpStatusCode? status, FailureKind failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Status = status;
        Failure = failure;
    }

    /// <summary>Null when WAHA did not answer (network, timeout).</summary>
    public HttpStatusCode? Status { get; }

    public FailureKind Failure { get; } = FailureKind.Transient;
}

/// <summary>
/// The calls the engine makes to its WAHA sidecar (X-Api-Key on each). Failures come back as
/// <see cref="WahaCallException"/> classified by <see cref="WahaErrors"/>; the caller's own
/// cancellation is the only other exception.
/// </summary>
public sealed class WahaClient(HttpClient http, IOptions<WahaOptions> options)
{
    // Bodies go to WAHA, never into HTML: keep "+" and non-ASCII text as they are.
    internal static readonly JsonSerializerOptions BodyJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<WahaSessionInfo?> GetSessionAsync(string name, CancellationToken cancellationToken)
    {
        var (status, body) = await CallAsync(HttpMethod.Get, $"api/sessions/{Uri.EscapeDataString(name)}", null, cancellationToken, allowNotFound: true);
        if (status == HttpStatusCode.NotFound)
        {
            return null;
        }

        return ReadSession(body, name);
    }

    /// <summary>POST /api/sessions with start=true; when the session already exists, its config is updated and it is started.</summary>
    public async Task CreateOrStartAsync(string name, JsonObject config, CancellationToken cancellationToken)
    {
        var existing = await GetSessionAsync(name, cancellationToken);
        if (existing is null)
        {
            await CallAsync(HttpMethod.Post, "api/sessions", new JsonObject { ["name"] = name, ["start"] = true, ["config"] = config }, cancellationToken);
            return;
        }

        await CallAsync(HttpMethod.Put, $"api/sessions/{Uri.EscapeDataString(name)}", new JsonObject { ["name"] = name, ["config"] = config }, cancellationToken);
        if (existing.Status is WahaStatuses.Stopped or WahaStatuses.Failed)
        {
            await CallAsync(HttpMethod.Post, $"api/sessions/{Uri.EscapeDataString(name)}/start", null, cancellationToken);
        }
    }

    public Task StopAsync(string name, CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Post, $"api/sessions/{Uri.EscapeDataString(name)}/stop", null, cancellationToken, allowNotFound: true);

    public Task RestartAsync(string name, CancellationToken cancellationToken) =>
        CallAsync(HttpMethod.Post, $"api/sessions/{Uri.EscapeDataString(name)}/restart", null, cancellationToken);

    /// <summary>Logs the account out at WhatsApp and removes the session from WAHA (its files go with it).</summary>
    public async Task LogoutAndDeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(HttpMethod.Post, $"api/sessions/{Uri.EscapeDataString(name)}/logout", null, cancellationToken, allowNotFound: true);
        }
        catch (WahaCallException e) when (e.Status == HttpStatusCode.UnprocessableEntity)
        {
            // Not logged in (never paired, or stopped): nothing to log out; the delete below still runs.
        }

        await CallAsync(HttpMethod.Delete, $"api/sessions/{Uri.EscapeDataString(name)}", null, cancellationToken, allowNotFound: true);
    }

    /// <summary>The QR code's raw value (what the phone scans), from GET /api/{session}/auth/qr?format=raw.</summary>
    public async Task<string?> GetQrValueAsync(string name, CancellationToken cancellationToken)
    {
        var (_, body) = await CallAsync(HttpMethod.Get, $"api/{Uri.EscapeDataString(name)}/auth/qr?format=raw", null, cancellationToken);
        return ReadString(body, "value");
    }

    public async Task<string?> RequestCodeAsync(string name, string phoneDigits, CancellationToken cancellationToken)
    {
        var (_, body) = await CallAsync(HttpMethod.Post, $"api/{Uri.EscapeDataString(name)}/auth/request-code", new JsonObject { ["phoneNumber"] = phoneDigits }, cancellationToken);
        return ReadString(body, "code");
    }

    /// <summary>The linked account's id from GET /api/sessions/{name}/me; null when WAHA has none (not logged in).</summary>
    public async Task<string?> GetMeAsync(string name, CancellationToken cancellationToken)
    {
        var (_, body) = await CallAsync(HttpMethod.Get, $"api/sessions/{Uri.EscapeDataString(name)}/me", null, cancellationToken);
        return ReadString(body, "id");
    }

    /// <summary>Whether <paramref name="phoneDigits"/> has WhatsApp, asked through the session (GET /api/contacts/check-exists).</summary>
    public async Task<bool> NumberExistsAsync(string name, string phoneDigits, CancellationToken cancellationToken) =>
        (await CheckExistsAsync(name, phoneDigits, cancellationToken)).Exists;

    /// <summary>GET /api/contacts/check-exists: {numberExists, chatId}, the chat id being the number's WhatsApp id at c.us.</summary>
    public async Task<(bool Exists, string? ChatId)> CheckExistsAsync(string name, string phoneDigits, CancellationToken cancellationToken)
    {
        var (_, body) = await CallAsync(HttpMethod.Get, $"api/contacts/check-exists?phone={Uri.EscapeDataString(phoneDigits)}&session={Uri.EscapeDataString(name)}", null, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var exists = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("numberExists", out var e) && e.ValueKind == JsonValueKind.True;
            return (exists, exists && root.TryGetProperty("chatId", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null);
        }
        catch (JsonException)
        {
            return (false, null);
        }
    }

    /// <summary>
    /// GET /api/{session}/groups. Its items differ by WAHA engine: WEBJS gives {id: {_serialized}, name,
    /// groupMetadata: {participants}}, NOWEB {id, subject, participants}, GOWS {JID, Name, Participants};
    /// each is read for its id, name and participant count.
    /// </summary>
    public async Task<IReadOnlyList<GroupInfo>> GetGroupsAsync(string name, CancellationToken cancellationToken)
    {
        var (_, body) = await CallAsync(HttpMethod.Get, $"api/{Uri.EscapeDataString(name)}/groups", null, cancellationToken);
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            IEnumerable<JsonElement> items = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray(),
                // Some engines key the groups by id.
                JsonValueKind.Object => root.EnumerateObject().Select(p => p.Value),
                _ => [],
            };
            return [.. items.Select(WahaGroups.Read).OfType<GroupInfo>()];
        }
        catch (JsonException)
        {
            throw new WahaCallException(null, FailureKind.Transient, "WAHA answered the group list with something that is not JSON");
        }
    }

    /// <summary>POST one send (api/sendText and friends); the message id WAHA gives it, when it gives one.</summary>
    public async Task<string?> SendAsync(string path, JsonObject body, CancellationToken cancellationToken)
    {
        var (_, text) = await CallAsync(HttpMethod.Post, path, body, cancellationToken);
        return WahaSendResponse.MessageIdOf(text);
    }

    private async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Add("X-Api-Key", options.Value.ApiKey);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(BodyJson), Encoding.UTF8, "application/json");
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode || (allowNotFound && response.StatusCode == HttpStatusCode.NotFound))
            {
                return (response.StatusCode, text);
            }

            throw new WahaCallException(response.StatusCode, WahaErrors.Classify(response.StatusCode), WahaErrors.Describe(method, path, response.StatusCode, text));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            throw new WahaCallException(null, FailureKind.Transient, string.Create(CultureInfo.InvariantCulture, $"timeout: no answer from WAHA within {http.Timeout.TotalSeconds:0.###} s"), e);
        }
        catch (HttpRequestException e)
        {
            throw new WahaCallException(null, FailureKind.Transient, $"WAHA unreachable: {e.HttpRequestError}", e);
        }
    }

    private static WahaSessionInfo? ReadSession(string body, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : WahaStatuses.Stopped;
            var me = root.TryGetProperty("me", out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            return new WahaSessionInfo(root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : name, status, me);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? ReadString(string body, string property)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>WAHA's session statuses.</summary>
public static class WahaStatuses
{
    public const string Stopped = "STOPPED";
    public const string Starting = "STARTING";
    public const string ScanQrCode = "SCAN_QR_CODE";
    public const string Working = "WORKING";
    public const string Failed = "FAILED";
}
