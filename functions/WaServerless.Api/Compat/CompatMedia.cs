using WaServerless.Api.Sending;
using WaServerless.Core.Errors;
using WaServerless.Core.Text;

namespace WaServerless.Api.Compat;

/// <summary>A media kind as another API documents it: the file extensions its formats come with, and its size limit.</summary>
public sealed record CompatMediaRule(string Kind, IReadOnlySet<string> Extensions, string Formats, long MaxBytes);

/// <summary>
/// Checks a media URL against a surface's own documented formats and sizes before the native send
/// path runs: the format by the URL's extension (a URL without one is left to the fetch) and the
/// size by the server's Content-Length.
/// </summary>
public sealed class CompatMediaCheck(MediaSizeProbe probe)
{
    /// <param name="name">The field as the surface names it, for the refusal.</param>
    public async Task<string> CheckAsync(string text, string name, CompatMediaRule rule, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidMediaUrl, $"{name} must be an absolute http or https URL."));
        }

        var extension = Path.GetExtension(url.AbsolutePath).TrimStart('.').ToLowerInvariant();
        if (extension.Length > 0 && !rule.Extensions.Contains(extension))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.InvalidMediaUrl, $"{name} is a .{Clip.Preview(extension)} file; {rule.Kind} must be {rule.Formats}."));
        }

        if (await probe.GetSizeAsync(url, cancellationToken) is { } size && size > rule.MaxBytes)
        {
            throw new ApiErrorException(new ApiError(413, ErrorCodes.MediaTooLarge, $"The {rule.Kind} is {size} bytes; at most {rule.MaxBytes / (1024 * 1024)} MB."));
        }

        return text;
    }
}
