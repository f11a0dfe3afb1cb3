using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WaServerless.Api.Accounts;
using WaServerless.Api.Auth;
using WaServerless.Api.Http;
using WaServerless.Api.Messages;
using WaServerless.Api.Sending;
using WaServerless.Api.Sessions;
using WaServerless.Core.Errors;
using WaServerless.Core.Text;
using WaServerless.Storage.Sessions;

namespace WaServerless.Api.Compat.V1;

/// <summary>
/// The generic sessions + messages API under /api/v1, as a thin translation onto the native
/// handlers: its sessions (session_key, a stream of qr, connected and error), its messages (text,
/// media, audio with ptt; answered 202 {id, toPhone, type, status: "pending"}) and its keys. Its
/// media limits are checked before the native accept path; a session that is not connected is its
/// 409 "Session not connected".
/// </summary>
public sealed class V1Handler(
    RequestFieldsReader reader,
    SendHandler send,
    MessagesHandler messages,
    SessionsHandler sessions,
    SessionStore sessionStore,
    AccountsHandler accounts,
    CompatMediaCheck media)
{
    public async Task<IActionResult> SendTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await reader.ReadAsync(request, cancellationToken);
        Only(body, "to", "message", "session_id");
        return await SendAsync(request, body, new() { ["text"] = Required(body, "message") }, "text", cancellationToken);
    }

    public async Task<IActionResult> SendMediaAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await reader.ReadAsync(request, cancellationToken);
        Only(body, "to", "mediaUrl", "mediaType", "caption", "session_id");
        var type = Required(body, "mediaType").ToLowerInvariant();
        var rule = type switch
        {
            "image" => V1MediaRules.Image,
            "video" => V1MediaRules.Video,
            _ => throw Refuse(ErrorCodes.InvalidField, $"mediaType is image or video, not '{Clip.Preview(type)}'.", "Send audio with POST /api/v1/messages/audio."),
        };
        var url = await media.CheckAsync(Required(body, "mediaUrl"), "mediaUrl", rule, cancellationToken);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [type == "image" ? "file" : "video"] = url };
        if (body.TryGetValue("caption", out var caption) && !string.IsNullOrWhiteSpace(caption))
        {
            fields["text"] = caption;
        }

        return await SendAsync(request, body, fields, type, cancellationToken);
    }

    public async Task<IActionResult> SendAudioAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await reader.ReadAsync(request, cancellationToken);
        Only(body, "to", "audioUrl", "ptt", "session_id");
        var url = await media.CheckAsync(Required(body, "audioUrl"), "audioUrl", V1MediaRules.Audio, cancellationToken);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["audio"] = url };
        if (body.TryGetValue("ptt", out var ptt))
        {
            fields["ptt"] = ptt;
        }

        return await SendAsync(request, body, fields, "audio", cancellationToken);
    }

    public async Task<IActionResult> GetMessageAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        Translate(await messages.GetAsync(request, id, cancellationToken), 200, V1Views.Message);

    public async Task<IActionResult> ListMessagesAsync(HttpRequest request, CancellationToken cancellationToken) =>
        Translate(await messages.ListAsync(request, cancellationToken), 200, data => data.GetProperty("items").EnumerateArray().Select(V1Views.Message).ToList());

    public async Task<IActionResult> CreateSessionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await reader.ReadAsync(request, cancellationToken);
        Only(body, "session_key");
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["name"] = Required(body, "session_key") };
        return Translate(await sessions.CreateAsync(fields, request.Caller(), cancellationToken), 201, V1Views.Session);
    }

    public async Task<IActionResult> ListSessionsAsync(HttpRequest request, CancellationToken cancellationToken) =>
        Translate(await sessions.ListAsync(request, cancellationToken), 200, data => data.EnumerateArray().Select(V1Views.Session).ToList());

    public async Task<IActionResult> GetSessionAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        Translate(await sessions.GetAsync(request, id, cancellationToken), 200, V1Views.Session);

    /// <summary>PATCH: a new session_key (the session's name); its id and pairing stay.</summary>
    public async Task<IActionResult> UpdateSessionAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var body = await reader.ReadAsync(request, cancellationToken);
        Only(body, "session_key");
        var name = Required(body, "session_key");
        if (name.Length > 100)
        {
            throw Refuse(ErrorCodes.InvalidField, "session_key is longer than 100 characters.");
        }

        var caller = request.Caller();
        await sessionStore.RequireAsync(caller.Account.Id, id, cancellationToken);
        await sessionStore.RenameAsync(caller.Account.Id, id, name, cancellationToken);
        return Translate(await sessions.GetAsync(request, id, cancellationToken), 200, V1Views.Session);
    }

    public async Task<IActionResult> DeleteSessionAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        Translate(await sessions.DeleteAsync(request, id, cancellationToken), 200, V1Views.Session);

    /// <summary>Its stream's events: qr, connected, and error for a session that disconnected, was logged out or failed.</summary>
    public Task<IActionResult> StreamAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        sessions.EventsAsync(request, id, cancellationToken, name => name switch
        {
            "qr" or "connected" => name,
            "disconnected" or "logged_out" or "failed" => "error",
            _ => null,
        });

    public async Task<IActionResult> CreateKeyAsync(HttpRequest request, CancellationToken cancellationToken) =>
        Translate(await accounts.CreateKeyAsync(request, null, cancellationToken), 201, data => V1Views.Key(data.GetProperty("details"), data.GetProperty("key").GetString()));

    public async Task<IActionResult> ListKeysAsync(HttpRequest request, CancellationToken cancellationToken) =>
        Translate(await accounts.ListKeysAsync(request, null, cancellationToken), 200, data => data.EnumerateArray().Select(k => V1Views.Key(k, null)).ToList());

    public async Task<IActionResult> RevokeKeyAsync(HttpRequest request, string id, CancellationToken cancellationToken) =>
        Translate(await accounts.RevokeKeyAsync(request, id, cancellationToken), 200, data => V1Views.Key(data, null));

    private async Task<IActionResult> SendAsync(HttpRequest request, IReadOnlyDictionary<string, string> body, Dictionary<string, string> fields, string type, CancellationToken cancellationToken)
    {
        fields["recipient"] = Required(body, "to");
        if (body.TryGetValue("session_id", out var session) && !string.IsNullOrWhiteSpace(session))
        {
            fields["session"] = session;
        }

        var answer = NativeAnswer.Of(await send.SendAsync(fields, request.Caller(), cancellationToken));
        if (!answer.Succeeded)
        {
            return V1Shapes.Error(answer.Status, answer.ErrorCode, answer.ErrorMessage, answer.Headers);
        }

        var data = answer.Data;
        return new JsonApiResult(StatusCodes.Status202Accepted, new V1Message(data.GetProperty("queue_id").GetString()!, data.GetProperty("recipient").GetString()!, type, "pending", null, null));
    }

    private static IActionResult Translate(IActionResult native, int status, Func<JsonElement, object> view)
    {
        var answer = NativeAnswer.Of(native);
        return answer.Succeeded
            ? new JsonApiResult(status, view(answer.Data))
            : V1Shapes.Error(answer.Status, answer.ErrorCode, answer.ErrorMessage, answer.Headers);
    }

    private static void Only(IReadOnlyDictionary<string, string> body, params string[] names)
    {
        foreach (var name in body.Keys)
        {
            if (!names.Contains(name, StringComparer.OrdinalIgnoreCase) && name != "apikey")
            {
                throw Refuse(ErrorCodes.UnknownField, $"Unknown field '{Clip.Preview(name)}'.", "Fields: " + string.Join(", ", names) + ".");
            }
        }
    }

    private static string Required(IReadOnlyDictionary<string, string> body, string name) =>
        body.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : throw Refuse(ErrorCodes.InvalidField, $"'{name}' is required.");

    private static ApiErrorException Refuse(string code, string message, string? hint = null) => new(ApiError.BadRequest(code, message, hint));
}
