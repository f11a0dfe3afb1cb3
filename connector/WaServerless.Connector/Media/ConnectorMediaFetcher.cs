using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Media;
using WaServerless.Core.Net;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Connector.Media;

/// <summary>Bound from "Media", the section the API's accept-time checks read too.</summary>
internal sealed class MediaFetchOptions
{
    public const string Section = "Media";

    /// <summary>Loopback and private addresses allowed: local tests only, refused with a real Azure storage account.</summary>
    public bool AllowPrivateHosts { get; set; }

    /// <summary>The whole fetch, headers and body, must finish within this.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Redirects followed, each to a public address again.</summary>
    public int MaxRedirects { get; set; } = 3;
}

internal sealed class MediaFetchOptionsValidation(IOptions<StorageOptions> storage) : IValidateOptions<MediaFetchOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaFetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.AllowPrivateHosts && !storage.Value.IsDevelopmentStorage)
        {
            return ValidateOptionsResult.Fail("Media:AllowPrivateHosts is for local testing against Azurite only; it is refused with a real Azure storage account.");
        }

        return options.FetchTimeout <= TimeSpan.Zero || options.ConnectTimeout <= TimeSpan.Zero || options.MaxRedirects is < 0 or > 10
            ? ValidateOptionsResult.Fail("Media: FetchTimeout and ConnectTimeout must be positive and MaxRedirects 0 to 10.")
            : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Fetches a caller's media for engines that upload bytes (WAHA). The "media" client's handler
/// connects only to public addresses, checked at connect time; redirects are followed here, at most
/// MaxRedirects, each through that same check and only to http(s). The body is read against the
/// kind's limit (and the plan's, when lower) as it streams, so an oversized file fails with a reason
/// instead of filling memory or reaching WhatsApp half sent; the content type must be one WhatsApp
/// takes for the kind.
/// </summary>
internal sealed class ConnectorMediaFetcher(IHttpClientFactory clients, IOptions<MediaFetchOptions> options) : IMediaFetcher
{
    public const string ClientName = "media";

    public async Task<FetchedMedia> FetchAsync(Uri url, MediaKind kind, long? maxBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var o = options.Value;
        var limit = Math.Min(WhatsAppMediaRules.MaxBytes(kind), maxBytes ?? long.MaxValue);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(o.FetchTimeout);
        var client = clients.CreateClient(ClientName);
        try
        {
            var current = url;
            for (var hop = 0; ; hop++)
            {
                if (current.Scheme != Uri.UriSchemeHttps && current.Scheme != Uri.UriSchemeHttp)
                {
                    throw new MediaFetchException(FailureKind.Permanent, $"media URL scheme '{current.Scheme}' is not http or https");
                }

                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= o.MaxRedirects)
                    {
                        throw new MediaFetchException(FailureKind.Permanent, $"media URL redirected more than {o.MaxRedirects} times");
                    }

                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    var code = (int)response.StatusCode;
                    var transient = code is >= 500 or 408 or 429;
                    throw new MediaFetchException(transient ? FailureKind.Transient : FailureKind.Permanent, string.Create(CultureInfo.InvariantCulture, $"media server answered HTTP {code} for {current.Host}"));
                }

                return await ReadAsync(response, current, kind, limit, deadline.Token);
            }
        }
        catch (MediaFetchException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            throw new MediaFetchException(FailureKind.Transient, string.Create(CultureInfo.InvariantCulture, $"media fetch timed out after {o.FetchTimeout.TotalSeconds:0.#} s"), e);
        }
        catch (HttpRequestException e) when (e.InnerException is MediaAddressBlockedException blocked)
        {
            throw new MediaFetchException(FailureKind.Permanent, blocked.Message, e);
        }
        catch (MediaAddressBlockedException e)
        {
            throw new MediaFetchException(FailureKind.Permanent, e.Message, e);
        }
        catch (HttpRequestException e)
        {
            throw new MediaFetchException(FailureKind.Transient, $"media fetch failed: {e.HttpRequestError}", e);
        }
    }

    private static async Task<FetchedMedia> ReadAsync(HttpResponseMessage response, Uri url, MediaKind kind, long limit, CancellationToken cancellationToken)
    {
        var fileName = FileNameOf(response.Content.Headers.ContentDisposition, url);
        var contentType = WhatsAppMediaRules.Bare(response.Content.Headers.ContentType?.MediaType);
        if (contentType is null or "application/octet-stream" or "binary/octet-stream")
        {
            contentType = InferType(fileName) ?? contentType ?? "application/octet-stream";
        }

        if (!WhatsAppMediaRules.Accepts(kind, contentType))
        {
            throw new MediaFetchException(FailureKind.Permanent, $"media is {contentType}; WhatsApp takes {string.Join(", ", WhatsAppMediaRules.ContentTypes(kind))} for {kind.ToString().ToLowerInvariant()}");
        }

        if (response.Content.Headers.ContentLength is { } declared && declared > limit)
        {
            throw TooLarge(declared, limit, kind);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream(response.Content.Headers.ContentLength is { } length ? (int)Math.Min(length, 1 << 20) : 64 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            // Checked per chunk: a server that lies about (or omits) its length stops here.
            if (buffer.Length + read > limit)
            {
                throw TooLarge(buffer.Length + read, limit, kind, streaming: true);
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            throw new MediaFetchException(FailureKind.Permanent, "media is empty");
        }

        return new FetchedMedia(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), contentType, fileName);
    }

    private static MediaFetchException TooLarge(long size, long limit, MediaKind kind, bool streaming = false) =>
        new(FailureKind.Permanent, string.Create(CultureInfo.InvariantCulture, $"media is {(streaming ? "over " : "")}{size} bytes; the limit for {kind.ToString().ToLowerInvariant()} is {limit}"));

    private static string? FileNameOf(ContentDispositionHeaderValue? disposition, Uri url)
    {
        var name = disposition?.FileNameStar ?? disposition?.FileName?.Trim('"');
        if (string.IsNullOrWhiteSpace(name))
        {
            var last = url.Segments.LastOrDefault()?.Trim('/');
            name = string.IsNullOrEmpty(last) ? null : WebUtility.UrlDecode(last);
        }

        // A name only, never a path.
        return name is null ? null : Path.GetFileName(name.Replace('\\', '/'));
    }

    private static string? InferType(string? fileName) => Path.GetExtension(fileName ?? "").ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".webp" => "image/webp",
        ".mp4" => "video/mp4",
        ".3gp" => "video/3gpp",
        ".mp3" => "audio/mpeg",
        ".ogg" or ".oga" => "audio/ogg",
        ".opus" => "audio/opus",
        ".aac" => "audio/aac",
        ".m4a" => "audio/mp4",
        ".amr" => "audio/amr",
        ".pdf" => "application/pdf",
        _ => null,
    };
}

/// <summary>The media URL's host (or a redirect's) has an address that is not public.</summary>
internal sealed class MediaAddressBlockedException : Exception
{
    public MediaAddressBlockedException()
    {
    }

    public MediaAddressBlockedException(string host)
        : base($"media host '{host}' resolves to a loopback, private or reserved address")
    {
    }

    public MediaAddressBlockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
