namespace WaServerless.Core.Webhooks;

/// <summary>
/// What a webhook URL must look like before anything resolves it: absolute, https (http only where
/// local targets are allowed, for development), no credentials in it, no fragment, not too long.
/// Whether its host is public is checked separately, at registration and again at every connect.
/// </summary>
public static class WebhookUrls
{
    public const int MaxLength = 2048;

    /// <summary>Null and the parsed URL when it is acceptable; otherwise why not.</summary>
    public static string? Check(string? url, bool allowLocalTargets, out Uri? parsed)
    {
        parsed = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            return "url is required.";
        }

        url = url.Trim();
        if (url.Length > MaxLength)
        {
            return $"url is longer than {MaxLength} characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "url is not an absolute URL.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowLocalTargets && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "url must use https.";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "url must not carry credentials; verify the signature header instead.";
        }

        if (uri.Fragment.Length > 0)
        {
            return "url must not have a fragment (#...); it is never sent.";
        }

        parsed = uri;
        return null;
    }
}
