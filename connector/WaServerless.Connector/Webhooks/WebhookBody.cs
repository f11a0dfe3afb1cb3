using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace WaServerless.Connector.Webhooks;

/// <summary>Reads a webhook body that is not yet known to come from its sender, never more than a bound.</summary>
internal static class WebhookBody
{
    /// <summary>The body, or null when it is larger than <paramref name="maxBytes"/> (answer 413).</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }

        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.Length > maxBytes ? null : buffer.ToArray();
    }
}
