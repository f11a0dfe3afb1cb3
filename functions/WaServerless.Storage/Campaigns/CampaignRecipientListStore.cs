using WaServerless.Core.Bulk;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using WaServerless.Core.Contracts;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Campaigns;

/// <summary>A slice of a recipient list and the byte offset where the rest of the list starts.</summary>
public sealed record RecipientListChunk(IReadOnlyList<CampaignRecipient> Recipients, long NextOffset);

/// <summary>
/// A campaign's cleaned recipient list (validated, de-duplicated, in campaign order) as one blob,
/// "{accountId}/{campaignId}.recipients.jsonl" in the "campaignuploads" container (with the
/// deployment's prefix): one JSON object per line. POST /api/bulk writes it before the campaign row,
/// so a campaign always has its list; the orchestration's preparation reads it a chunk at a time
/// from a byte offset, so no activity call reads or holds more than its chunk.
/// </summary>
public sealed class CampaignRecipientListStore(StorageClients clients)
{
    /// <summary>The container of the uploaded recipient files, declared in Bicep too.</summary>
    public const string ContainerName = "campaignuploads";

    private const int InitialBufferBytes = 64 * 1024;

    private volatile bool _containerReady;

    private BlobContainerClient Container => clients.Blobs.GetBlobContainerClient(clients.Name(ContainerName));

    public static string BlobNameFor(string accountId, string campaignId) => $"{accountId}/{campaignId}.recipients.jsonl";

    /// <summary>Creates the container when this process has not yet (Bicep creates it in Azure; Azurite starts empty).</summary>
    public async Task<BlobContainerClient> ContainerAsync(CancellationToken cancellationToken)
    {
        var container = Container;
        if (!_containerReady)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _containerReady = true;
        }

        return container;
    }

    /// <summary>
    /// Stores the list once: a campaign's list never changes after it is written, because its
    /// preparation reads it by byte offset. False when a different list is already stored under this
    /// campaign id (a repeat of an idempotency key with other recipients); true when this list is
    /// stored now or was already (a retry of the same request).
    /// </summary>
    public async Task<bool> SaveAsync(string accountId, string campaignId, IReadOnlyList<CampaignRecipient> recipients, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        using var content = new MemoryStream(recipients.Count * 48);
        using (var writer = new Utf8JsonWriter(content, new JsonWriterOptions { Encoder = WireJson.Options.Encoder }))
        {
            foreach (var recipient in recipients)
            {
                JsonSerializer.Serialize(writer, recipient, WireJson.Options);
                writer.Flush();
                content.WriteByte((byte)'\n');
                writer.Reset();
            }
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(content.GetBuffer().AsSpan(0, (int)content.Length)));
        content.Position = 0;
        var container = await ContainerAsync(cancellationToken);
        var blob = container.GetBlobClient(BlobNameFor(accountId, campaignId));
        try
        {
            await blob.UploadAsync(
                content,
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" },
                    Metadata = new Dictionary<string, string>
                    {
                        ["account"] = accountId,
                        ["campaign"] = campaignId,
                        ["recipients"] = recipients.Count.ToString(CultureInfo.InvariantCulture),
                        ["sha256"] = hash,
                    },
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.Metadata.TryGetValue("sha256", out var stored) && stored == hash;
        }
    }

    /// <summary>
    /// Up to <paramref name="maxCount"/> recipients from byte <paramref name="offset"/> on; fewer at
    /// the end of the list. Null when the list does not exist. Throws <see cref="InvalidDataException"/>
    /// for a line that is not a recipient.
    /// </summary>
    public async Task<RecipientListChunk?> ReadAsync(string accountId, string campaignId, long offset, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        var blob = Container.GetBlobClient(BlobNameFor(accountId, campaignId));
        BlobDownloadStreamingResult download;
        try
        {
            download = (await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(offset) }, cancellationToken)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        catch (RequestFailedException e) when (e.Status == 416)
        {
            // The offset is the end of the list: nothing more.
            return new RecipientListChunk([], offset);
        }

        using (download)
        {
            return await ReadLinesAsync(download.Content, offset, maxCount, cancellationToken);
        }
    }

    /// <summary>Reads whole lines only, so the offset it returns always starts a line.</summary>
    private static async Task<RecipientListChunk> ReadLinesAsync(Stream stream, long offset, int maxCount, CancellationToken cancellationToken)
    {
        var items = new List<CampaignRecipient>(Math.Min(maxCount, 4096));
        var buffer = new byte[InitialBufferBytes];
        int start = 0, filled = 0;
        var end = false;
        var next = offset;
        while (items.Count < maxCount)
        {
            var newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                Add(items, buffer.AsSpan(start, newline), next);
                next += newline + 1;
                start += newline + 1;
                continue;
            }

            if (end)
            {
                // A last line without its line break.
                if (filled > start)
                {
                    Add(items, buffer.AsSpan(start, filled - start), next);
                    next += filled - start;
                }

                break;
            }

            if (start > 0)
            {
                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
                start = 0;
            }

            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            end = read == 0;
            filled += read;
        }

        return new RecipientListChunk(items, next);
    }

    private static void Add(List<CampaignRecipient> items, ReadOnlySpan<byte> line, long at)
    {
        if (line.IsEmpty)
        {
            return;
        }

        CampaignRecipient? recipient;
        try
        {
            recipient = JsonSerializer.Deserialize<CampaignRecipient>(line, WireJson.Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The recipient list holds something other than a recipient at byte {at}.", e);
        }

        if (recipient is not null && !string.IsNullOrEmpty(recipient.Recipient))
        {
            items.Add(recipient);
            return;
        }

        throw new InvalidDataException($"The recipient list holds something other than a recipient at byte {at}.");
    }
}
