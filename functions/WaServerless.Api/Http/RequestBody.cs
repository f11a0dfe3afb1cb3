using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Http;

/// <summary>
/// The body checks every reader shares: a size limit enforced while reading, a Content-Type that
/// parses, UTF-8 only, and form decoding that refuses bytes which are not UTF-8 instead of mangling
/// them. Each failure is a 4xx ApiError, never an exception the caller sees as a 500.
/// </summary>
public static class RequestBody
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The request's Content-Type and its media type in lower case, after the declared length, presence, syntax and charset checks.</summary>
    public static (MediaTypeHeaderValue Header, string MediaType) ContentTypeOf(HttpRequest request, int limit, string tooLargeHint, string acceptedHint)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit, tooLargeHint);
        }

        if (string.IsNullOrWhiteSpace(request.ContentType))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.MissingContentType, "The request has no Content-Type.", acceptedHint));
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || contentType.MediaType.Value is null)
        {
            throw new ApiErrorException(new ApiError(415, ErrorCodes.UnsupportedContentType, $"Content-Type '{request.ContentType}' cannot be read."));
        }

        var charset = contentType.Charset.Value;
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.UnsupportedCharset, $"Charset '{charset}' is not supported.", "Encode the body as UTF-8."));
        }

        return (contentType, contentType.MediaType.Value.ToLowerInvariant());
    }

    /// <summary>Reads the body, refusing it as soon as it passes the limit (a chunked body has no declared length).</summary>
    public static async Task<byte[]> ReadLimitedAsync(Stream body, int limit, string tooLargeHint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    throw TooLarge(limit, tooLargeHint);
                }

                buffer.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit, tooLargeHint);
        }

        return buffer.ToArray();
    }

    /// <summary>UTF-8 text, else a 400 UNSUPPORTED_CHARSET naming <paramref name="what"/>.</summary>
    public static string DecodeUtf8(byte[] bytes, string what, string hint)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.UnsupportedCharset, $"{what} is not valid UTF-8.", hint));
        }
    }

    /// <summary>The name=value pairs of an application/x-www-form-urlencoded body, decoded to bytes first and then as strict UTF-8.</summary>
    public static IEnumerable<(string Name, string Value)> ParseUrlEncoded(byte[] body)
    {
        var text = DecodeUtf8(body, "The form body", "Encode the body as UTF-8.");
        foreach (var pair in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            yield return (PercentDecode(equals < 0 ? pair : pair[..equals]), equals < 0 ? string.Empty : PercentDecode(pair[(equals + 1)..]));
        }
    }

    public static ApiErrorException TooLarge(int limit, string hint) =>
        new(new ApiError(413, ErrorCodes.PayloadTooLarge, $"The body is larger than {limit.ToString(CultureInfo.InvariantCulture)} bytes.", hint));

    /// <summary>The field set both readers fill: names case-insensitive, each at most once.</summary>
    public static Dictionary<string, string> NewFields() => new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds a field; a name sent twice is a 400 DUPLICATE_FIELD, never a silent overwrite.</summary>
    public static void AddField(Dictionary<string, string> fields, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!fields.TryAdd(name, value))
        {
            throw DuplicateField(name);
        }
    }

    public static ApiErrorException DuplicateField(string name) =>
        new(ApiError.BadRequest(ErrorCodes.DuplicateField, $"Field '{name}' appears more than once.", "Send each field once."));

    public static ApiErrorException Malformed(string message) =>
        new(ApiError.BadRequest(ErrorCodes.MalformedBody, message));

    private static string PercentDecode(string encoded)
    {
        var bytes = new List<byte>(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else if (c == '%')
            {
                if (i + 2 >= encoded.Length || !byte.TryParse(encoded.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b))
                {
                    throw Malformed("The form body has a malformed percent-encoding.");
                }

                bytes.Add(b);
                i += 2;
            }
            else if (char.IsAscii(c))
            {
                bytes.Add((byte)c);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < encoded.Length && char.IsLowSurrogate(encoded[i + 1]))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(encoded.Substring(i, 2)));
                i++;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return DecodeUtf8([.. bytes], "The form body", "Encode the body as UTF-8.");
    }
}
