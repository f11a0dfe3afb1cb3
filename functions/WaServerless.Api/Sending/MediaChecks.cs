using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;
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

    /// <summary>
    /// Accept media on loopback and private addresses and let the probe reach them: local testing
    /// only (refused at start when the storage is a real Azure account). The API must not be a way
    /// into the private network.
    /// </summary>
    public bool AllowPrivateHosts { get; set; }

    /// <summary>How long a media URL's host name may take to resolve at accept time before it is accepted unchecked (the fetch checks again).</summary>
    public TimeSpan ResolveTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>Media__AllowPrivateHosts is for loopback test servers: never with a real storage account.</summary>
public sealed class MediaOptionsValidation(IOptions<WaServerless.Storage.Infrastructure.StorageOptions> storage) : IValidateOptions<MediaOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AllowPrivateHosts && !storage.Value.IsDevelopmentStorage
            ? ValidateOptionsResult.Fail("Media:AllowPrivateHosts is for local testing against Azurite only; it is refused with a real Azure storage account.")
            : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// What a media URL must pass at accept time, for POST /api/send and bulk campaigns alike: its host
/// must be public (400 MEDIA_URL_NOT_PUBLIC), and the size its server reports within the plan (413).
/// </summary>
public sealed class MediaGuard(MediaSizeProbe probe, IOptions<MediaOptions> options)
{
    public async Task<ApiError?> CheckAsync(MessageContent content, WaServerless.Core.Limits.Plan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        foreach (var url in MediaUrls.Of(content))
        {
            if (!options.Value.AllowPrivateHosts
                && await NetworkAddresses.CheckHostAsync(url, options.Value.ResolveTimeout, cancellationToken) is { Verdict: HostVerdict.NotPublic } check)
            {
                return ApiError.BadRequest(
                    ErrorCodes.MediaUrlNotPublic,
                    $"The media URL's host '{url.Host}' is {(check.Address!.ToString() == url.DnsSafeHost ? "" : check.Address + ", ")}a loopback, private or reserved address.",
                    "Media must be fetchable from the public internet.");
            }

            if (await probe.GetSizeAsync(url, cancellationToken) is { } size && size > plan.MaxMediaBytes)
            {
                return new ApiError(413, ErrorCodes.MediaTooLarge, $"The media is {size} bytes; the {plan.Name} plan allows {plan.MaxMediaBytes}.");
            }
        }

        return null;
    }
}

/// <summary>
/// Asks a media URL's server for its Content-Length so an oversized file is refused at the API
/// (413) rather than failing later at WhatsApp. Where the server gives no size, or cannot be
/// reached in time, the send is accepted and the connector checks again when it fetches.
/// </summary>
public sealed partial class MediaSizeProbe(IHttpClientFactory httpClients, IOptions<MediaOptions> options, ILogger<MediaSizeProbe> logger)
{
    public const string HttpClientName = "media-probe";

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
