using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using WaServerless.Core.Bulk;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Campaigns;

/// <summary>
/// Keeps every uploaded recipients file as it was sent, in the "campaignuploads" container (with
/// the deployment's prefix), as "{accountId}/{campaignId}.csv" (or .json): what the campaign was made
/// from, for support and audit. Written before the campaign, and overwritten by a retry of the same
/// campaign, so a campaign whose request carried a file always has it.
/// </summary>
public sealed class CampaignUploadStore(StorageClients clients)
{
    /// <summary>The same container as the cleaned recipient lists; declared in Bicep.</summary>
    public const string ContainerName = CampaignRecipientListStore.ContainerName;

    private volatile bool _containerReady;

    private BlobContainerClient Container => clients.Blobs.GetBlobContainerClient(clients.Name(ContainerName));

    public static string BlobNameFor(string accountId, string campaignId, RecipientUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        return $"{accountId}/{campaignId}{(upload.IsJson ? ".json" : ".csv")}";
    }

    /// <summary>Stores the file; returns its blob name inside the container.</summary>
    public async Task<string> SaveAsync(string accountId, string campaignId, RecipientUpload upload, int rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var container = Container;
        if (!_containerReady)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            _containerReady = true;
        }

        var name = BlobNameFor(accountId, campaignId, upload);
        var metadata = new Dictionary<string, string>
        {
            ["account"] = accountId,
            ["campaign"] = campaignId,
            ["rows"] = rows.ToString(CultureInfo.InvariantCulture),
        };
        if (!string.IsNullOrWhiteSpace(upload.FileName))
        {
            // Metadata is ASCII: the client's file name travels escaped.
            metadata["filename"] = Uri.EscapeDataString(upload.FileName.Length <= 200 ? upload.FileName : upload.FileName[..200]);
        }

        await container.GetBlobClient(name).UploadAsync(
            BinaryData.FromBytes(upload.Content),
            new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = upload.IsJson ? "application/json" : "text/csv; charset=utf-8" },
                Metadata = metadata,
            },
            cancellationToken);
        return name;
    }
}
