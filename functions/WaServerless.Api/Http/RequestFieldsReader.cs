using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WaServerless.Core.Errors;
using WaServerless.Core.Text;

namespace WaServerless.Api.Http;

/// <summary>
/// Reads a request body into one flat, case-insensitive set of fields, the same whether it came as
/// application/x-www-form-urlencoded, multipart/form-data or a JSON object. Every way a body can be
/// wrong ends in a 4xx <see cref="ApiError"/>, never an exception the caller sees as a 500.
/// </summary>
public sealed class RequestFieldsReader(IOptions<ApiOptions> options)
{
    private const string TooLargeHint = "Send media by URL, not inline.";

    private const string ReadItem = "WaServerless.RequestFields";

    /// <summary>The request's fields; read once, so the caller gate and the handler see the same ones.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HttpContext.Items.TryGetValue(ReadItem, out var read) && read is IReadOnlyDictionary<string, string> fields)
        {
            return fields;
        }

        var result = await ReadOnceAsync(request, cancellationToken);
        request.HttpContext.Items[ReadItem] = result;
        return result;
    }

    private async Task<IReadOnlyDictionary<string, string>> ReadOnceAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxBodyBytes;
        var (contentType, mediaType) = RequestBody.ContentTypeOf(request, limit, TooLargeHint, "Send application/json, application/x-www-form-urlencoded or multipart/form-data.");
        var bytes = await RequestBody.ReadLimitedAsync(request.Body, limit, TooLargeHint, cancellationToken);
        if (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal))
        {
            return ReadJson(bytes);
        }

        if (mediaType == "application/x-www-form-urlencoded")
        {
            return ReadUrlEncoded(bytes);
        }

        if (mediaType == "multipart/form-data")
        {
            var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
            if (string.IsNullOrEmpty(boundary))
            {
                throw Malformed("The multipart body has no boundary in its Content-Type.");
            }

            return await ReadMultipartAsync(bytes, boundary, cancellationToken);
        }

        throw new ApiErrorException(new ApiError(415, ErrorCodes.UnsupportedContentType, $"Content-Type '{mediaType}' is not supported.", "Send application/json, application/x-www-form-urlencoded or multipart/form-data."));
    }

    private static Dictionary<string, string> ReadJson(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw Malformed("The JSON body is empty.");
        }

        JsonDocument document;
        try
        {
            document = StrictJson.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw Malformed($"The body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("The JSON body must be an object of fields.");
            }

            var fields = RequestBody.NewFields();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => property.Value.GetRawText(),
                };
                if (value is not null)
                {
                    RequestBody.AddField(fields, property.Name, value);
                }
            }

            return fields;
        }
    }

    private static Dictionary<string, string> ReadUrlEncoded(byte[] body)
    {
        var fields = RequestBody.NewFields();
        foreach (var (name, value) in RequestBody.ParseUrlEncoded(body))
        {
            RequestBody.AddField(fields, name, value);
        }

        return fields;
    }

    private static async Task<Dictionary<string, string>> ReadMultipartAsync(byte[] bytes, string boundary, CancellationToken cancellationToken)
    {
        var fields = RequestBody.NewFields();
        var reader = new MultipartReader(boundary, new MemoryStream(bytes));
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !(disposition.IsFormDisposition() || disposition.IsFileDisposition()))
                {
                    throw Malformed("A multipart section has no form-data Content-Disposition.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                if (disposition.IsFileDisposition())
                {
                    throw new ApiErrorException(ApiError.BadRequest(ErrorCodes.UploadNotSupported, $"Field '{name}' is a file upload; media are sent by URL.", "Put the media's https URL in 'file', 'document', 'video' or 'audio'."));
                }

                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content, cancellationToken);
                RequestBody.AddField(fields, name, RequestBody.DecodeUtf8(content.ToArray(), $"Field '{name}'", "Encode the body as UTF-8."));
            }
        }
        catch (IOException)
        {
            throw Malformed("The multipart body is cut short or its boundary does not match.");
        }
        catch (InvalidDataException e)
        {
            throw Malformed($"The multipart body cannot be read: {e.Message}");
        }

        return fields;
    }

    private static ApiErrorException Malformed(string message) => RequestBody.Malformed(message);
}
