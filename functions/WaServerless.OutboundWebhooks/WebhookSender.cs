using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using WaServerless.Core.Net;
using WaServerless.Core.Webhooks;
using WaServerless.Storage.Webhooks;

namespace WaServerless.OutboundWebhooks;

public enum WebhookAttemptOutcome
{
    Delivered,
    /// <summary>Worth trying again: 5xx, 408, 425, 429, a timeout, a network error.</summary>
    Retryable,
    /// <summary>Trying again will not help: any other 4xx, a redirect, a blocked address, no secret to sign with.</summary>
    Failed,
}

/// <summary>
/// One attempt's result. <see cref="Status"/> is the HTTP status code, or timeout, network_error,
/// blocked, no_secret; <see cref="Reason"/> is its low-cardinality class for the failures metric.
/// </summary>
public sealed record WebhookAttemptResult(WebhookAttemptOutcome Outcome, int? StatusCode, string Status, string? Error, string? Reason, TimeSpan? RetryAfter, TimeSpan Duration)
{
    public static WebhookAttemptResult NoSecret { get; } = new(WebhookAttemptOutcome.Failed, null, "no_secret", "the signing secret cannot be decrypted (Webhooks:EncryptionKey changed?)", "no_secret", null, TimeSpan.Zero);
}

/// <summary>
/// POSTs one signed body to one URL and classifies what came back. The HTTP client it uses checks
/// every address it connects to (see <see cref="CreateHandler"/>), follows no redirects and sends
/// no cookies; the response body is never read or stored.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory httpClients, IOptions<WebhookOptions> options, TimeProvider time)
{
    public const string HttpClientName = "webhooks";
    private static readonly ProductInfoHeaderValue UserAgent = new("WaServerless-Webhooks", "1.0");

    public async Task<WebhookAttemptResult> SendAsync(Uri url, IReadOnlyList<string> secrets, string eventId, string eventType, byte[] body, int attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(secrets);
        ArgumentNullException.ThrowIfNull(body);
        if (secrets.Count == 0)
        {
            return WebhookAttemptResult.NoSecret;
        }

        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.Add(UserAgent);
        request.Headers.Add(WebhookSignature.EventIdHeader, eventId);
        request.Headers.Add(WebhookSignature.EventTypeHeader, eventType);
        request.Headers.Add(WebhookSignature.AttemptHeader, attempt.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Header(secrets, timestamp, body));

        var timeout = options.Value.Timeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            return Classify(response, Stopwatch.GetElapsedTime(started), time.GetUtcNow());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(WebhookAttemptOutcome.Retryable, null, "timeout", $"no response within {timeout.TotalSeconds:0.#} s", "timeout", null, Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException e) when (Blocked(e) is { } blocked)
        {
            return new(WebhookAttemptOutcome.Failed, null, "blocked", blocked.Message, "blocked", null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException)
        {
            return new(WebhookAttemptOutcome.Retryable, null, "network_error", "connection failed: " + (e.InnerException ?? e).Message, "network_error", null, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>The primary handler of the "webhooks" client: public addresses only (unless local targets are allowed), checked at connect time.</summary>
    public static SocketsHttpHandler CreateHandler(WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PublicOnlyHttpHandler.Create(options.AllowLocalTargets, options.Timeout, host => new WebhookTargetBlockedException(host));
    }

    private static WebhookAttemptResult Classify(HttpResponseMessage response, TimeSpan duration, DateTimeOffset now)
    {
        var code = (int)response.StatusCode;
        var status = code.ToString(CultureInfo.InvariantCulture);
        if (code is >= 200 and < 300)
        {
            return new(WebhookAttemptOutcome.Delivered, code, status, null, null, null, duration);
        }

        var retryable = code is >= 500 or 408 or 425 or 429;
        var reason = code switch
        {
            429 => "http_429",
            >= 500 => "http_5xx",
            >= 400 => "http_4xx",
            _ => "http_3xx",
        };
        var error = code is >= 300 and < 400 ? $"HTTP {code}: redirects are not followed; register the final URL" : $"HTTP {code}";
        return new(retryable ? WebhookAttemptOutcome.Retryable : WebhookAttemptOutcome.Failed, code, status, error, reason, RetryAfterOf(response, now), duration);
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? date - now : null;
    }

    private static WebhookTargetBlockedException? Blocked(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is WebhookTargetBlockedException blocked)
            {
                return blocked;
            }
        }

        return null;
    }
}

/// <summary>The URL's host resolves to an address the platform does not call (loopback, private, link-local).</summary>
public sealed class WebhookTargetBlockedException(string host)
    : IOException($"refused: {host} resolves to a loopback, private or link-local address");
