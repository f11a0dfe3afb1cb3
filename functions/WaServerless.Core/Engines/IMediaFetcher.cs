using WaServerless.Core.Contracts;
using WaServerless.Core.Media;

namespace WaServerless.Core.Engines;

/// <summary>
/// Gets a caller's media for engines that must upload the bytes themselves (WhatsApp Web through
/// WAHA), so a caller's URL is never handed to a sidecar inside our network. The connector
/// implements it: public addresses only, checked when connecting and on every redirect, a timeout,
/// and the size and type limits of the kind enforced while the bytes stream in.
/// </summary>
public interface IMediaFetcher
{
    /// <param name="maxBytes">The plan's limit when it is lower than WhatsApp's for the kind; null for WhatsApp's.</param>
    /// <exception cref="MediaFetchException">The media could not be fetched or broke a rule; its Failure says whether trying again can help.</exception>
    Task<FetchedMedia> FetchAsync(Uri url, MediaKind kind, long? maxBytes, CancellationToken cancellationToken);
}

/// <summary>Media read in full, within its limits.</summary>
/// <param name="ContentType">The bare content type the server gave (or the one inferred from the file name for a generic one).</param>
/// <param name="FileName">The name from Content-Disposition or the URL's last segment, if any.</param>
public sealed record FetchedMedia(ReadOnlyMemory<byte> Content, string ContentType, string? FileName);

public sealed class MediaFetchException : Exception
{
    public MediaFetchException()
    {
    }

    public MediaFetchException(string message)
        : base(message)
    {
    }

    public MediaFetchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MediaFetchException(FailureKind failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Transient (network, timeout, the server's 5xx) or permanent (refused address, too large, wrong type, 4xx).</summary>
    public FailureKind Failure { get; } = FailureKind.Permanent;
}
