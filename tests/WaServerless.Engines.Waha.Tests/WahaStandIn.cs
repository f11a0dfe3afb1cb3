using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace WaServerless.Engines.Waha.Tests;

/// <summary>
/// A stand-in for a WAHA sidecar, built on WireMock.Net from WAHA's documented REST contract (the
/// fixtures in Fixtures/ are the shapes): sessions with their statuses, QR and pair codes, the
/// session's profile and number checks, the send routes, and webhooks posted to the URL in each
/// session's config, signed with its hmac key the way WAHA signs them (hex HMAC-SHA512 of the body).
/// Tests drive what the phone would do: scan, acknowledge, write back, go silent.
/// </summary>
public sealed class WahaStandIn : IDisposable
{
    public const string ApiKey = "waha-stand-in-api-key-0123456789";

    private readonly ConcurrentDictionary<string, FakeSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<WahaCall> _calls = new();
    private readonly HttpClient _webhooks = new() { Timeout = TimeSpan.FromSeconds(10) };
    private int _ids;

    /// <param name="sessionFiles">
    /// Where WAHA keeps each session's credentials (session name to the linked account): pass one
    /// dictionary to two stand-ins for the Azure Files share the replicas' sidecars share.
    /// </param>
    public WahaStandIn(int port, ConcurrentDictionary<string, string>? sessionFiles = null)
    {
        SessionFiles = sessionFiles ?? new(StringComparer.Ordinal);
        Server = WireMockServer.Start(new WireMockServerSettings { Urls = [$"http://127.0.0.1:{port}"] });
        Server.Given(Request.Create().WithPath(new RegexMatcher("^/.*$")).UsingAnyMethod())
            .RespondWith(Response.Create().WithCallback(Handle));
    }

    public WireMockServer Server { get; }

    /// <summary>The session folder: what survives this WAHA (and what another replica's WAHA sees on a shared share).</summary>
    public ConcurrentDictionary<string, string> SessionFiles { get; }

    public Uri Url => new(Server.Url!);

    /// <summary>Every call the connector made, in order.</summary>
    public IReadOnlyList<WahaCall> Calls => [.. _calls];

    public IReadOnlyList<WahaCall> Sends => [.. _calls.Where(c => c.Path.StartsWith("/api/send", StringComparison.Ordinal))];

    /// <summary>When set, every send answers this status with a NestJS-style error body.</summary>
    public int? FailSendsWith { get; set; }

    /// <summary>When set, a send to a session that is not WORKING answers 422 as WAHA does.</summary>
    public bool RefuseSendsWhenNotWorking { get; set; } = true;

    public FakeSession? Find(string name) => _sessions.TryGetValue(name, out var s) ? s : null;

    /// <summary>The phone scanned the QR code (or entered the pair code): the session is WORKING as <paramref name="phoneDigits"/>.</summary>
    public Task ScanAsync(string name, string phoneDigits)
    {
        var session = _sessions[name];
        session.MeId = phoneDigits + "@c.us";
        SessionFiles[name] = session.MeId;
        return SetStatusAsync(session, "WORKING");
    }

    /// <summary>WORKING, yet nothing gets through: WAHA's users call these zombies. The profile and number checks fail.</summary>
    public void GoSilent(string name) => _sessions[name].Silent = true;

    public Task SetStatusAsync(string name, string status) => SetStatusAsync(_sessions[name], status);

    /// <summary>A message.ack webhook for a message this session sent.</summary>
    public Task AckAsync(string name, WahaCall send, int ack, string ackName, string? chatId = null) =>
        PostEventAsync(_sessions[name], "message.ack", new JsonObject
        {
            ["id"] = $"true_{chatId ?? (string)send.Body["chatId"]!}_{send.MessageKey}",
            ["from"] = chatId ?? (string)send.Body["chatId"]!,
            ["to"] = _sessions[name].MeId,
            ["participant"] = null,
            ["fromMe"] = true,
            ["ack"] = ack,
            ["ackName"] = ackName,
        });

    /// <summary>A message webhook: someone wrote to the session from <paramref name="fromChatId"/>.</summary>
    public Task InboundAsync(string name, string messageKey, string fromChatId, string text, string pushName = "Ada") =>
        PostEventAsync(_sessions[name], "message", new JsonObject
        {
            ["id"] = $"false_{fromChatId}_{messageKey}",
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["from"] = fromChatId,
            ["fromMe"] = false,
            ["source"] = "app",
            ["to"] = _sessions[name].MeId,
            ["body"] = text,
            ["hasMedia"] = false,
            ["media"] = null,
            ["ack"] = 2,
            ["ackName"] = "DEVICE",
            ["replyTo"] = null,
            ["_data"] = new JsonObject { ["Info"] = new JsonObject { ["PushName"] = pushName } },
        });

    /// <summary>Posts <paramref name="body"/> to the session's webhook as WAHA would, or with <paramref name="signature"/> instead of the right one.</summary>
    public async Task<HttpResponseMessage> PostRawAsync(string name, string body, string? signature = null)
    {
        var session = _sessions[name];
        var hook = session.Config!["webhooks"]![0]!;
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, (string)hook["url"]!) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("X-Webhook-Request-Id", Guid.NewGuid().ToString());
        request.Headers.Add("X-Webhook-Hmac", signature ?? Convert.ToHexStringLower(HMACSHA512.HashData(Encoding.UTF8.GetBytes((string)hook["hmac"]!["key"]!), bytes)));
        request.Headers.Add("X-Webhook-Hmac-Algorithm", "sha512");
        return await _webhooks.SendAsync(request);
    }

    public string Envelope(string name, string @event, JsonObject payload)
    {
        var session = _sessions[name];
        return new JsonObject
        {
            ["id"] = "evt_" + Guid.NewGuid().ToString("N"),
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ["event"] = @event,
            ["session"] = name,
            ["metadata"] = session.Config?["metadata"]?.DeepClone(),
            ["me"] = session.MeId is null ? null : new JsonObject { ["id"] = session.MeId, ["pushName"] = "Our Shop" },
            ["payload"] = payload,
            ["engine"] = "GOWS",
            ["environment"] = new JsonObject { ["version"] = "2026.6.1", ["engine"] = "GOWS", ["tier"] = "CORE", ["browser"] = null },
        }.ToJsonString();
    }

    public void Dispose()
    {
        Server.Stop();
        Server.Dispose();
        _webhooks.Dispose();
    }

    private async Task PostEventAsync(FakeSession session, string @event, JsonObject payload)
    {
        if (session.Config?["webhooks"] is not JsonArray { Count: > 0 })
        {
            return;
        }

        using var response = await PostRawAsync(session.Name, Envelope(session.Name, @event, payload));
        response.EnsureSuccessStatusCode();
    }

    private async Task SetStatusAsync(FakeSession session, string status)
    {
        session.Status = status;
        if (status == "SCAN_QR_CODE")
        {
            session.Qr++;
        }

        await PostEventAsync(session, "session.status", new JsonObject
        {
            ["status"] = status,
            ["statuses"] = new JsonArray(new JsonObject { ["status"] = status, ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }),
        });
    }

    // WAHA starts a session, then shows a QR (or resumes one it has credentials for), reporting each status.
    private void StartInBackground(FakeSession session)
    {
        session.Status = "STARTING";
        session.Silent = false; // a restart is what brings a silent session back
        session.MeId = SessionFiles.TryGetValue(session.Name, out var me) ? me : null;
        _ = Task.Run(async () =>
        {
            try
            {
                await SetStatusAsync(session, "STARTING");
                await Task.Delay(20);
                await SetStatusAsync(session, session.MeId is null ? "SCAN_QR_CODE" : "WORKING");
            }
            catch (HttpRequestException)
            {
                // The connector is not listening (yet): the real WAHA retries; the connector also polls.
            }
        });
    }

    private IResponseMessage Handle(IRequestMessage request)
    {
        var body = string.IsNullOrEmpty(request.Body) ? null : JsonNode.Parse(request.Body) as JsonObject;
        var path = request.AbsolutePath;
        var query = request.RawQuery ?? "";
        var call = new WahaCall(request.Method, path, query, body ?? [], null);
        if (!request.Headers!.TryGetValue("X-Api-Key", out var key) || key.FirstOrDefault() != ApiKey)
        {
            _calls.Enqueue(call);
            return Json(401, new JsonObject { ["statusCode"] = 401, ["message"] = "Unauthorized" });
        }

        var segments = path.Trim('/').Split('/');
        var response = (request.Method, segments) switch
        {
            ("POST", ["api", "sessions"]) => Create(body!),
            ("GET", ["api", "sessions", var name]) => Find(name) is { } s ? Json(200, Describe(s)) : Json(404, Error(404, "Session not found")),
            ("PUT", ["api", "sessions", var name]) => Update(name, body!),
            ("DELETE", ["api", "sessions", var name]) => Delete(name),
            ("POST", ["api", "sessions", var name, "start"]) => Act(name, "start", s => StartInBackground(s)),
            ("POST", ["api", "sessions", var name, "restart"]) => Act(name, "restart", s => StartInBackground(s)),
            ("POST", ["api", "sessions", var name, "stop"]) => Act(name, "stop", s => s.Status = "STOPPED"),
            ("POST", ["api", "sessions", var name, "logout"]) => Act(name, "logout", s =>
            {
                s.MeId = null;
                SessionFiles.TryRemove(s.Name, out _);
            }),
            ("GET", ["api", "sessions", var name, "me"]) => Find(name) is { MeId: { } me, Silent: false } ? Json(200, new JsonObject { ["id"] = me, ["pushName"] = "Our Shop" }) : Json(200, null),
            ("GET", ["api", var name, "auth", "qr"]) => Find(name) is { Status: "SCAN_QR_CODE" } s ? Json(200, new JsonObject { ["value"] = $"2@stand-in-qr-{name}-{s.Qr}" }) : Json(422, Error(422, "Session status is not as expected")),
            ("POST", ["api", var name, "auth", "request-code"]) => Find(name) is { Status: "SCAN_QR_CODE" } ? Json(201, new JsonObject { ["code"] = "ABCD-1234" }) : Json(422, Error(422, "Session status is not as expected")),
            ("GET", ["api", "contacts", "check-exists"]) => CheckExists(query),
            ("POST", [var api, var send]) when api == "api" && send.StartsWith("send", StringComparison.Ordinal) => Send(body!, ref call),
            _ => Json(404, Error(404, $"Cannot {request.Method} {path}")),
        };
        _calls.Enqueue(call);
        return response;
    }

    private ResponseMessage Create(JsonObject body)
    {
        var name = (string)body["name"]!;
        if (_sessions.ContainsKey(name))
        {
            return Json(422, Error(422, $"Session '{name}' already exists"));
        }

        var session = new FakeSession(name) { Config = body["config"]?.DeepClone() as JsonObject, Status = "STOPPED" };
        _sessions[name] = session;
        if (body["start"]?.GetValue<bool>() == true)
        {
            StartInBackground(session);
        }

        return Json(201, Describe(session));
    }

    private ResponseMessage Delete(string name)
    {
        if (!_sessions.TryRemove(name, out _))
        {
            return Json(404, Error(404, "Session not found"));
        }

        SessionFiles.TryRemove(name, out _); // its folder goes with it
        return Json(200, null);
    }

    private ResponseMessage Update(string name, JsonObject body)
    {
        if (Find(name) is not { } session)
        {
            return Json(404, Error(404, "Session not found"));
        }

        session.Config = body["config"]?.DeepClone() as JsonObject;
        return Json(200, Describe(session));
    }

    private ResponseMessage Act(string name, string what, Action<FakeSession> action)
    {
        if (Find(name) is not { } session)
        {
            return Json(404, Error(404, "Session not found"));
        }

        action(session);
        session.Actions.Enqueue(what);
        return Json(201, Describe(session));
    }

    private ResponseMessage CheckExists(string query)
    {
        var values = System.Web.HttpUtility.ParseQueryString(query);
        var session = Find(values["session"] ?? "");
        if (session is null)
        {
            return Json(404, Error(404, "Session not found"));
        }

        var phone = values["phone"] ?? "";
        return Json(200, new JsonObject { ["numberExists"] = !session.Silent && session.Status == "WORKING", ["chatId"] = phone + "@c.us" });
    }

    private ResponseMessage Send(JsonObject body, ref WahaCall call)
    {
        if (FailSendsWith is { } failure)
        {
            return Json(failure, Error(failure, "stand-in refused the send"));
        }

        var session = Find((string?)body["session"] ?? "");
        if (session is null)
        {
            return Json(404, Error(404, "Session not found"));
        }

        if (RefuseSendsWhenNotWorking && session.Status != "WORKING")
        {
            return Json(422, Error(422, $"Session status is not as expected. Try again later or restart the session. Session status: {session.Status}"));
        }

        var key = "3EB0" + Interlocked.Increment(ref _ids).ToString("X16", CultureInfo.InvariantCulture);
        var chatId = (string)body["chatId"]!;
        call = call with { MessageKey = key };
        return Json(201, new JsonObject
        {
            ["id"] = $"true_{chatId}_{key}",
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["from"] = session.MeId,
            ["fromMe"] = true,
            ["to"] = chatId,
            ["body"] = (string?)body["text"] ?? "",
            ["hasMedia"] = body.ContainsKey("file"),
            ["ack"] = 1,
            ["ackName"] = "SERVER",
        });
    }

    private static JsonObject Describe(FakeSession session) => new()
    {
        ["name"] = session.Name,
        ["status"] = session.Status,
        ["config"] = session.Config?.DeepClone(),
        ["me"] = session.MeId is null ? null : new JsonObject { ["id"] = session.MeId, ["pushName"] = "Our Shop" },
        ["engine"] = new JsonObject { ["engine"] = "GOWS" },
    };

    private static JsonObject Error(int status, string message) => new() { ["statusCode"] = status, ["message"] = message, ["error"] = status == 404 ? "Not Found" : "Unprocessable Entity" };

    // WAHA answers an empty result with an empty body.
    private static ResponseMessage Json(int status, JsonObject? body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = body is null ? null : new BodyData { BodyAsString = body.ToJsonString(), DetectedBodyType = BodyType.String, Encoding = Encoding.UTF8 },
    };
}

/// <summary>One session as the stand-in keeps it.</summary>
public sealed class FakeSession(string name)
{
    public string Name { get; } = name;

    public string Status { get; set; } = "STOPPED";

    public JsonObject? Config { get; set; }

    public string? MeId { get; set; }

    public bool Silent { get; set; }

    public int Qr { get; set; }

    /// <summary>start, stop, restart, logout calls, by name, in order.</summary>
    public ConcurrentQueue<string> Actions { get; } = new();
}

/// <param name="MessageKey">For a send WAHA took: the bare id it gave the message.</param>
public sealed record WahaCall(string Method, string Path, string Query, JsonObject Body, string? MessageKey);
