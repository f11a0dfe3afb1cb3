using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Core.Messages;
using WaServerless.Core.Net;

namespace WaServerless.Api.Sending;

/// <summary>Bound from "Media".</summary>
public sealed class MediaOptions
{
    public const string Section = "Media";

    /// <summary>Whether to ask the media URL's server for its size (HEAD) before accepting a send.</summary>
    public bool ProbeSize { get; set; } = true;

    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Let the probe reach loopback and private addresses (local testing only): the API must not be a way into the private network.</summary>
    public bool AllowPrivateHosts { get; set; }
}

/// <summary>
/// Asks a media URL's server for its Content-Length so an oversized file is refused at the API
/// (413) rather than failing later at WhatsApp. Where the server gives no size, or cannot be
/// reached in time, the send is accepted and the connector checks again when it fetches.
/// </summary>
public sealed partial class MediaSizeProbe(IHttpClientFactory httpClients, IOptions<MediaOptions> options, ILogger<MediaSizeProbe> logger)
{
    public const string HttpClientName = "media-probe";

    public static Uri? MediaUrlOf(MessageContent content) => content switch
    {
        ImageContent c => c.Url,
        DocumentContent c => c.Url,
        VideoContent c => c.Url,
        AudioContent c => c.Url,
        TemplateContent { Header.Url: { } url } => url,
        _ => null,
    };

    /// <summary>The size the server reports, or null when unknown.</summary>
    public async Task<long?> GetSizeAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var o = options.Value;
        if (!o.ProbeSize)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.ProbeTimeout);
        try
        {
            if (!o.AllowPrivateHosts && !await NetworkAddresses.IsPublicHostAsync(url.DnsSafeHost, timeout.Token))
            {
                return null;
            }

            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            using var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? response.Content.Headers.ContentLength : null;
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogProbeFailed(logger, url.Host, e.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(LogLevel.Information, "Media size probe of {Host} gave no answer ({Reason}); accepting unchecked")]
    private static partial void LogProbeFailed(ILogger logger, string host, string reason);
}
