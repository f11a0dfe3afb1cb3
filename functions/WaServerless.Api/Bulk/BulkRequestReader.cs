using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WaServerless.Api.Http;
using WaServerless.Core.Bulk;
using WaServerless.Core.Errors;
using WaServerless.Core.Text;

namespace WaServerless.Api.Bulk;

/// <summary>
/// A POST /api/bulk body: the fields (content, options, the key) as one case-insensitive set, and
/// the recipients as a JSON array, a text field, or an uploaded file. Exactly one of the three
/// recipient forms is set when the request has recipients at all.
/// </summary>
public sealed class BulkRequestBody : IDisposable
{
    private readonly JsonDocument? _document;

    public BulkRequestBody(IReadOnlyDictionary<string, string> fields, JsonDocument? document, JsonElement? recipientsJson, string? recipientsText, RecipientUpload? upload)
    {
        Fields = fields;
        _document = document;
        RecipientsJson = recipientsJson;
        RecipientsText = recipientsText;
        Upload = upload;
    }

    public IReadOnlyDictionary<string, string> Fields { get; }

    public JsonElement? RecipientsJson { get; }

    public string? RecipientsText { get; }

    public RecipientUpload? Upload { get; }

    public void Dispose() => _document?.Dispose();
}

/// <summary>
/// Reads a POST /api/bulk body, as JSON, a form, or multipart/form-data with the recipients file in
/// a file part named "recipients". It is <see cref="Http.RequestFieldsReader"/>'s rules with a
/// larger limit (<see cref="BulkOptions.MaxBodyBytes"/>), the recipients kept apart and one file
/// upload allowed. Every way a body can be wrong ends in a 4xx <see cref="ApiError"/>.
/// </summary>
public sealed class BulkRequestReader(IOptions<BulkOptions> options)
{
    public const string RecipientsField = "recipients";

    private const string TooLargeHint = "Split the recipients over several campaigns.";

    private const string ReadItem = "WaServerless.BulkRequestBody";

    /// <summary>The request's body; read once, so the caller gate and the handler see the same one (the handler disposes it).</summary>
    public async Task<BulkRequestBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HttpContext.Items.TryGetValue(ReadItem, out var read) && read is BulkRequestBody body)
        {
            return body;
        }

        var result = await ReadOnceAsync(request, cancellationToken);
        request.HttpContext.Items[ReadItem] = result;
        return result;
    }

    private async Task<BulkRequestBody> ReadOnceAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxBodyBytes;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        var (contentType, mediaType) = RequestBody.ContentTypeOf(request, limit, TooLargeHint, "Send application/json, or multipart/form-data with the recipients CSV as a file named 'recipients'.");
        if (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal))
        {
            return ReadJson(await RequestBody.ReadLimitedAsync(request.Body, limit, TooLargeHint, cancellationToken));
        }

        if (mediaType == "application/x-www-form-urlencoded")
        {
            return ReadForm(await RequestBody.ReadLimitedAsync(request.Body, limit, TooLargeHint, cancellationToken));
        }

        if (mediaType == "multipart/form-data")
        {
            var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
            if (string.IsNullOrEmpty(boundary))
            {
                throw Malformed("The multipart body has no boundary in its Content-Type.");
            }

            return await ReadMultipartAsync(await RequestBody.ReadLimitedAsync(request.Body, limit, TooLargeHint, cancellationToken), boundary, cancellationToken);
        }

        throw new ApiErrorException(new ApiError(415, ErrorCodes.UnsupportedContentType, $"Content-Type '{mediaType}' is not supported.", "Send application/json, application/x-www-form-urlencoded or multipart/form-data."));
    }

    /// <summary>Text of an upload or a field: UTF-8, else a 400 that says so.</summary>
    public static string Decode(byte[] bytes, string what) => RequestBody.DecodeUtf8(bytes, what, "Save it as UTF-8 (in Excel: CSV UTF-8).");

    private static BulkRequestBody ReadJson(byte[] bytes)
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

        try
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("The JSON body must be an object of fields, with the recipients in 'recipients'.");
            }

            var fields = RequestBody.NewFields();
            JsonElement? recipientsJson = null;
            string? recipientsText = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals(RecipientsField) || string.Equals(property.Name, RecipientsField, StringComparison.OrdinalIgnoreCase))
                {
                    if (recipientsJson is not null || recipientsText is not null)
                    {
                        throw RequestBody.DuplicateField(property.Name);
                    }

                    if (property.Value.ValueKind == JsonValueKind.String)
                    {
                        recipientsText = property.Value.GetString();
                    }
                    else if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        recipientsJson = property.Value;
                    }

                    continue;
                }

                var value = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Null => null,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => property.Value.GetRawText(),
                };
                if (value is not null)
                {
                    RequestBody.AddField(fields, property.Name, value);
                }
            }

            return new BulkRequestBody(fields, document, recipientsJson, recipientsText, null);
        }
        catch
        {
            document.Dispose();
            throw;
        }
    }

    private static BulkRequestBody ReadForm(byte[] bytes)
    {
        var fields = RequestBody.NewFields();
        string? recipients = null;
        foreach (var (name, value) in RequestBody.ParseUrlEncoded(bytes))
        {
            if (string.Equals(name, RecipientsField, StringComparison.OrdinalIgnoreCase))
            {
                recipients = recipients is null ? value : throw RequestBody.DuplicateField(name);
            }
            else
            {
                RequestBody.AddField(fields, name, value);
            }
        }

        return new BulkRequestBody(fields, null, null, recipients, null);
    }

    private static async Task<BulkRequestBody> ReadMultipartAsync(byte[] bytes, string boundary, CancellationToken cancellationToken)
    {
        var fields = RequestBody.NewFields();
        string? recipientsText = null;
        RecipientUpload? upload = null;
        var reader = new MultipartReader(boundary, new MemoryStream(bytes)) { BodyLengthLimit = null };
        try
        {
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
            {
                // IsFormDisposition is false for a part with a file name: a file part is form-data too.
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !(disposition.IsFormDisposition() || disposition.IsFileDisposition()))
                {
                    throw Malformed("A multipart section has no form-data Content-Disposition.");
                }

                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? string.Empty;
                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content, cancellationToken);
                var isRecipients = string.Equals(name, RecipientsField, StringComparison.OrdinalIgnoreCase);
                if (disposition.IsFileDisposition())
                {
                    if (!isRecipients)
                    {
                        throw new ApiErrorException(ApiError.BadRequest(
                            ErrorCodes.UploadNotSupported,
                            $"Field '{name}' is a file upload; the only file a campaign takes is its recipients, in a file field named '{RecipientsField}'.",
                            "Media are sent by URL: put the https URL in 'file', 'document', 'video' or 'audio'."));
                    }

                    if (upload is not null || recipientsText is not null)
                    {
                        throw RequestBody.DuplicateField(name);
                    }

                    var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                    upload = new RecipientUpload(content.ToArray(), fileName, section.ContentType);
                }
                else if (isRecipients)
                {
                    recipientsText = upload is null && recipientsText is null ? Decode(content.ToArray(), $"Field '{name}'") : throw RequestBody.DuplicateField(name);
                }
                else
                {
                    RequestBody.AddField(fields, name, Decode(content.ToArray(), $"Field '{name}'"));
                }
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

        return new BulkRequestBody(fields, null, null, recipientsText, upload);
    }

    private static ApiErrorException Malformed(string message) => RequestBody.Malformed(message);
}
