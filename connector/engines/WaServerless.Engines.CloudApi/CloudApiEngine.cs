using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Mime;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;

namespace WaServerless.Engines.CloudApi;

/// <summary>
/// Sends through Meta's WhatsApp Business Cloud API: one POST per message to
/// {BaseUrl}/{version}/{phone-number-id}/messages. WhatsApp's refusals, throttling, timeouts and
/// network errors come back classified, never thrown; only the caller's cancellation throws.
/// Receipts arrive later by webhook (see <see cref="CloudApiWebhook"/>), not from this class.
/// </summary>
/// <remarks>
/// The Cloud API has no idempotency key: a send that timed out may still have gone out, and its
/// retry then sends twice. The message id travels as biz_opaque_callback_data, which Meta echoes in
/// status webhooks, so both copies can be traced to the one message.
/// </remarks>
public sealed partial class CloudApiEngine(HttpClient http, IOptions<CloudApiOptions> options, TimeProvider time, ILogger<CloudApiEngine> logger)
    : IWhatsAppEngine
{
    // Bodies go to Meta, never into HTML: keep "+" and non-ASCII text as they are rather than \u-escaped.
    private static readonly JsonSerializerOptions BodyJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public string Name => EngineNames.CloudApi;

    public EngineCapabilities Capabilities => EngineCapabilities.CloudApi;

    public async Task<EngineSendResult> SendAsync(EngineSendRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var o = options.Value;

        if (request.Recipient.EndsWith("@g.us", StringComparison.Ordinal))
        {
            const string NoGroups = "Meta's Cloud API cannot send to WhatsApp groups.";
            LogRefused(logger, request.MessageId, FailureKind.Permanent, NoGroups);
            return EngineSendResult.Permanent(NoGroups);
        }

        string body;
        try
        {
            body = CloudApiMessageBuilder.Build(request.Recipient, request.MessageId, request.Content, o).ToJsonString(BodyJson);
        }
        catch (CloudApiConfigurationException e)
        {
            LogRefused(logger, request.MessageId, FailureKind.Permanent, e.Message);
            return EngineSendResult.Permanent(e.Message);
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, CloudApiPaths.Messages(o, request.SenderAddress))
        {
            Content = new StringContent(body, Encoding.UTF8, MediaTypeNames.Application.Json),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", o.AccessToken);

        EngineSendResult result;
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            result = response.IsSuccessStatusCode
                ? ReadAccepted(text)
                : CloudApiErrorClassifier.Classify(response.StatusCode, text, RetryAfter(response));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            // HttpClient.Timeout surfaces as a cancellation the caller did not ask for.
            result = EngineSendResult.Transient(string.Create(CultureInfo.InvariantCulture, $"timeout: no answer from the Cloud API within {http.Timeout.TotalSeconds:0.###} s"));
        }
        catch (HttpRequestException e)
        {
            result = EngineSendResult.Transient(CloudApiErrorClassifier.Shorten($"network: {e.HttpRequestError}: {e.Message}"));
        }

        if (result.Succeeded)
        {
            LogSent(logger, request.MessageId, result.EngineMessageId!);
        }
        else
        {
            LogRefused(logger, request.MessageId, result.Failure, result.Reason ?? "");
        }

        return result;
    }

    /// <summary>{"messaging_product": "whatsapp", "contacts": [...], "messages": [{"id": "wamid...", "message_status": "accepted"}]}</summary>
    private static EngineSendResult ReadAccepted(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var id = Json.Array(document.RootElement, "messages").Select(m => Json.String(m, "id")).FirstOrDefault();
            if (!string.IsNullOrEmpty(id))
            {
                return EngineSendResult.Sent(id);
            }
        }
        catch (JsonException)
        {
        }

        // Accepted without an id we could track receipts by: rare, and a bounded retry beats a silent loss.
        return EngineSendResult.Transient("accepted without a message id in the response");
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };

    [LoggerMessage(LogLevel.Debug, "Cloud API accepted {MessageId} as {EngineMessageId}")]
    private static partial void LogSent(ILogger logger, string messageId, string engineMessageId);

    [LoggerMessage(LogLevel.Warning, "Cloud API send of {MessageId} failed ({Kind}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string messageId, FailureKind kind, string reason);
}

/// <summary>Relative request paths under BaseUrl.</summary>
internal static class CloudApiPaths
{
    /// <param name="phoneNumberId">The session's own number; null for the configured one.</param>
    public static Uri Messages(CloudApiOptions o, string? phoneNumberId = null) =>
        new($"{o.GraphApiVersion}/{Uri.EscapeDataString(phoneNumberId ?? o.PhoneNumberId)}/messages", UriKind.Relative);

    public static Uri Health(CloudApiOptions o, string? phoneNumberId = null) =>
        new($"{o.GraphApiVersion}/{Uri.EscapeDataString(phoneNumberId ?? o.PhoneNumberId)}?fields=health_status,quality_rating,name_status", UriKind.Relative);

    /// <summary>BaseUrl with a trailing slash, so a path prefix in it (a proxy) is kept.</summary>
    public static Uri BaseAddress(CloudApiOptions o)
    {
        var text = o.BaseUrl.AbsoluteUri;
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }
}
