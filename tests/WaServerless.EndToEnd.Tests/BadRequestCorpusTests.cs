using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using WaServerless.Api;
using WaServerless.DevHost;
using WaServerless.Storage.Webhooks;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// The devhost the bad-request corpus runs against, and the things its placeholders name. Limits
/// are raised so that no entry is refused for the rate of the others, webhook targets are checked as
/// in production (no loopback or plain http), and media sizes are not probed (no entry reaches the
/// network).
/// </summary>
public sealed class BadRequestCorpusFixture : IAsyncLifetime
{
    public DevHostInstance Host { get; private set; } = null!;

    /// <summary>The values of {{sessionId}}, {{queueId}}, {{campaignId}}, {{webhookId}}, {{accountId}} and {{keyId}}.</summary>
    public IReadOnlyDictionary<string, string> Placeholders { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await DevHostInstance.StartAsync(settings: new()
        {
            ["Plans:growth:SubmissionsPerMinute"] = "1000000",
            ["Plans:growth:MonthlyQuota"] = "100000000",
            ["Plans:growth:RecipientDailyCap"] = "100000",
            ["Webhooks:AllowLocalTargets"] = "false",
            ["Media:ProbeSize"] = "false",
            ["Sessions:AllowedEngines"] = "sandbox",
            // The heaviest entries (100,000 recipient rows) must not meet the deadline on a busy machine.
            ["Api:RequestDeadline"] = "00:00:25",
        });

        // A message that has reached read: it can be neither cancelled nor resent.
        var (sent, sentBody) = await Host.SendJsonAsync(new { recipient = "+14155550990", text = "bad-request corpus" });
        Assert.True(sent == 202, $"fixture send: {sent} {sentBody}");
        var queueId = sentBody.GetProperty("data").GetProperty("queue_id").GetString()!;
        await Host.WaitForStatusAsync(queueId, "read");

        // A cancelled campaign (its window twelve hours away, so it never sends): it can be neither paused nor resumed.
        var bulk = new BulkApi(Host);
        var window = DateTime.UtcNow.AddHours(12);
        var (created, createdBody, _) = await bulk.CreateAsync(Host.ApiKey, new
        {
            name = "bad-request corpus",
            text = "Later",
            interval_seconds = 1,
            window_start = window.ToString("HH:00", CultureInfo.InvariantCulture),
            window_end = window.AddHours(1).ToString("HH:00", CultureInfo.InvariantCulture),
            time_zone = "UTC",
            recipients = new[] { "+14155550991" },
        });
        Assert.True(created == 202, $"fixture campaign: {created} {createdBody}");
        var campaignId = createdBody.GetProperty("data").GetProperty("campaign").GetProperty("id").GetString()!;
        await bulk.WaitForCampaignAsync(Host.ApiKey, campaignId, c => c.GetProperty("status").GetString() == "running");
        Assert.Equal("cancelled", (await bulk.ControlOkAsync(Host.ApiKey, campaignId, "cancel")).GetProperty("status").GetString());

        // A disabled webhook. Stored directly: with production URL checks the API would resolve a public
        // name, and this machine may have no DNS.
        var webhooks = Host.Service<WebhookStore>();
        var (endpoint, _) = await webhooks.CreateAsync(DemoAccountSeeder.DemoAccountId, new Uri("https://example.com/bad-request-corpus"), ["session.state"], "bad-request corpus", default);
        await webhooks.UpdateAsync(DemoAccountSeeder.DemoAccountId, endpoint.Id, null, null, false, null, default);

        // A spare key, so that nothing in the corpus can touch the demo key itself.
        using var keyResponse = await Host.Client.SendAsync(Host.Request(HttpMethod.Post, "api/keys", JsonContent.Create(new { name = "bad-request corpus" })));
        var keyBody = await DevHostInstance.ReadAsync(keyResponse);
        Assert.True((int)keyResponse.StatusCode == 201, $"fixture key: {(int)keyResponse.StatusCode} {keyBody}");

        Placeholders = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sessionId"] = "default",
            ["queueId"] = queueId,
            ["campaignId"] = campaignId,
            ["webhookId"] = endpoint.Id,
            ["accountId"] = DemoAccountSeeder.DemoAccountId,
            ["keyId"] = keyBody.GetProperty("data").GetProperty("details").GetProperty("key_id").GetString()!,
        };
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Pins that every request in Fixtures/bad-requests (malformed, mistyped, oversized, hostile or
/// unauthenticated, on every route the API maps) is answered with a 4xx whose JSON body carries a
/// non-empty error_code: never a 2xx that takes it, never a 5xx, never a framework error without the
/// API's error shape; and that the API still accepts a good send once the whole corpus has been sent.
/// </summary>
public sealed partial class BadRequestCorpusTests(BadRequestCorpusFixture fixture) : IClassFixture<BadRequestCorpusFixture>
{
    private static readonly JsonSerializerOptions CorpusJson = new() { PropertyNameCaseInsensitive = true };

    private static readonly string[] AuthModes = ["key", "admin", "none", "both"];

    private DevHostInstance Host => fixture.Host;

    [Fact]
    public async Task Every_bad_request_in_the_corpus_gets_a_4xx_json_error_code_and_a_good_send_is_accepted_afterwards()
    {
        var corpus = LoadCorpus();
        Assert.True(corpus.Count >= 300, $"the corpus has {corpus.Count} entries; it should have at least 300");
        var duplicates = corpus.GroupBy(e => e.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "names used more than once: " + string.Join(", ", duplicates));

        var failures = new ConcurrentBag<(int Index, string Report)>();
        using (var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, corpus.Count),
                new ParallelOptions { MaxDegreeOfParallelism = 4 },
                async (i, ct) =>
                {
                    if (await ReplayAsync(client, corpus[i], ct) is { } failure)
                    {
                        failures.Add((i, failure));
                    }
                });
        }

        var (status, body) = await Host.SendJsonAsync(new { recipient = "+14155550992", text = "still sending after the bad-request corpus" });

        var report = string.Join("\n", failures.OrderBy(f => f.Index).Select(f => f.Report));
        Assert.True(failures.IsEmpty, $"{failures.Count} of {corpus.Count} bad requests were not answered with a 4xx error_code (a good send then got {status}):\n{report}");
        Assert.True(status == 202, $"a good send after the corpus: {status} {body}");
    }

    [Fact]
    public void Every_route_has_at_least_five_well_formed_entries_and_most_entries_carry_a_valid_credential()
    {
        var corpus = LoadCorpus();
        // GET /api/openapi.json takes no input and answers 200 to anyone: nothing can be bad about a request for it.
        var routes = ApiEndpoints.Routes.Where(r => r.Route != "openapi.json").ToList();
        var counts = routes.ToDictionary(r => r, _ => 0);
        var problems = new List<string>();
        foreach (var entry in corpus)
        {
            if (WellFormednessProblem(entry) is { } problem)
            {
                problems.Add($"{entry.Name}: {problem}");
                continue;
            }

            // A literal segment wins over a parameter, as in the hosts' routing (opt-in is not an {id}).
            var candidates = routes.Where(r => r.Method == entry.Method && MatchesTemplate(r.Route, entry.Path)).ToList();
            var matching = candidates.Where(r => Literals(r.Route) == candidates.Max(c => Literals(c.Route))).ToList();
            if (matching.Count != 1)
            {
                problems.Add($"{entry.Name}: {entry.Method} {entry.Path} matches {matching.Count} routes, not one");
                continue;
            }

            counts[matching[0]]++;
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        var thin = counts.Where(c => c.Value < 5).Select(c => $"{c.Key.Method} /api/{c.Key.Route}: {c.Value}").ToList();
        Assert.True(thin.Count == 0, "routes with fewer than five entries:\n" + string.Join("\n", thin));

        // Authentication failures stop at the first check; the corpus is for what lies behind it.
        var authFailures = corpus.Count(e => e.Auth == "none" || e.Status == 401);
        Assert.True(authFailures * 100 <= corpus.Count * 15, $"{authFailures} of {corpus.Count} entries are authentication failures; at most 15% should be");
    }

    private static List<BadRequest> LoadCorpus() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures", "bad-requests"), "*.json")
            .Order(StringComparer.Ordinal)
            .SelectMany(file => JsonSerializer.Deserialize<List<BadRequest>>(File.ReadAllText(file), CorpusJson) ?? [])];

    private static string? WellFormednessProblem(BadRequest entry)
    {
        if (string.IsNullOrWhiteSpace(entry.Name) || string.IsNullOrWhiteSpace(entry.Method) || string.IsNullOrWhiteSpace(entry.Path))
        {
            return "name, method and path are required";
        }

        if (!AuthModes.Contains(entry.Auth))
        {
            return $"auth '{entry.Auth}' is not one of {string.Join(", ", AuthModes)}";
        }

        if (entry.Body is not null && entry.BodyBase64 is not null)
        {
            return "body and bodyBase64 are exclusive";
        }

        if (entry.Status is { } status && (status < 400 || status > 499))
        {
            return $"status {status} is not a 4xx";
        }

        if (!entry.Path.StartsWith("/" + ApiEndpoints.Prefix + "/", StringComparison.Ordinal) || entry.Path.Any(c => c <= ' ' || c >= '\u007f' || c == '#'))
        {
            return "path must start with /api/ and be percent-encoded printable ASCII";
        }

        // Kestrel refuses a NUL in the path with a bare 400 before any route runs: not the API's answer to test.
        return entry.Path.Split('?')[0].Contains("%00", StringComparison.Ordinal) ? "path holds %00" : null;
    }

    private static int Literals(string template) => template.Split('/').Count(s => !s.StartsWith('{'));

    private static bool MatchesTemplate(string template, string path)
    {
        var segments = path.Split('?')[0][(ApiEndpoints.Prefix.Length + 2)..].Split('/');
        var parts = template.Split('/');
        return segments.Length == parts.Length
            && parts.Zip(segments).All(p => p.First.StartsWith('{') ? p.Second.Length > 0 : string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Null when the answer is what the corpus expects; else the entry's name, the status and the start of the body.</summary>
    private async Task<string?> ReplayAsync(HttpClient client, BadRequest entry, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(client, entry, cancellationToken);
        if (status == 503)
        {
            // A storage call that timed out on the shared machine is not an answer to the request: ask once more.
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            (status, body) = await SendAsync(client, entry, cancellationToken);
        }

        var problem = status is < 400 or > 499 ? "not a 4xx"
            : entry.Status is { } expected && status != expected ? $"expected {expected}"
            : HasErrorCode(body) ? null
            : "no JSON error_code";
        return problem is null ? null : $"{entry.Name}: {status} ({problem}): {(body.Length <= 300 ? body : body[..300])}";
    }

    private async Task<(int Status, string Body)> SendAsync(HttpClient client, BadRequest entry, CancellationToken cancellationToken)
    {
        try
        {
            using var request = Build(entry);
            using var response = await client.SendAsync(request, cancellationToken);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // A reset connection, a timeout, or an entry this test cannot even send: a failure to report, not to stop at.
            return (0, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static bool HasErrorCode(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error_code", out var code)
                && code.ValueKind == JsonValueKind.String
                && !string.IsNullOrWhiteSpace(code.GetString());
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private HttpRequestMessage Build(BadRequest entry)
    {
        // Sent byte for byte: no unescaping of %2F, %5C or %2E and no removal of dot segments on the way.
        var uri = new Uri(Host.Client.BaseAddress + Expand(entry.Path).TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        var request = new HttpRequestMessage(new HttpMethod(entry.Method), uri);
        var bytes = entry.BodyBase64 is { } base64 ? Convert.FromBase64String(base64)
            : entry.Body is { } text ? Encoding.UTF8.GetBytes(Expand(text))
            : null;
        if (bytes is not null || entry.ContentType is not null)
        {
            request.Content = new ByteArrayContent(bytes ?? []);
        }

        if (entry.ContentType is { } contentType)
        {
            request.Content!.Headers.TryAddWithoutValidation("Content-Type", Expand(contentType));
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (entry.Auth is "key" or "both")
        {
            headers["X-API-Key"] = Host.ApiKey;
        }

        if (entry.Auth is "admin" or "both")
        {
            headers["X-Admin-Key"] = DevHostInstance.AdminKey;
        }

        if (entry.Headers is { } extra)
        {
            foreach (var (name, value) in extra)
            {
                headers[name] = Expand(value);
            }
        }

        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    /// <summary>The placeholders the corpus README describes; any other {{...}} stays as it is.</summary>
    private string Expand(string text) =>
        Placeholder().Replace(text, m =>
        {
            if (m.Groups["name"].Success)
            {
                return fixture.Placeholders[m.Groups["name"].Value];
            }

            if (m.Groups["count"].Success)
            {
                var times = int.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture);
                return new StringBuilder(m.Groups["text"].Length * times).Insert(0, m.Groups["text"].Value, times).ToString();
            }

            var depth = int.Parse(m.Groups["depth"].Value, CultureInfo.InvariantCulture);
            return new string('[', depth) + new string(']', depth);
        });

    [GeneratedRegex(@"\{\{(?:(?<name>sessionId|queueId|campaignId|webhookId|accountId|keyId)|repeat:(?<text>[^:}]*):(?<count>[0-9]{1,8})|nest:(?<depth>[0-9]{1,8}))\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}

/// <summary>One entry of Fixtures/bad-requests/*.json (see the README there).</summary>
internal sealed record BadRequest(
    string Name,
    string Method,
    string Path,
    string Auth,
    Dictionary<string, string>? Headers,
    string? ContentType,
    string? Body,
    string? BodyBase64,
    int? Status);
