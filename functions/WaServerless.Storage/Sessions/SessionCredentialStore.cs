using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Sessions;

/// <summary>
/// A session's credentials, in one blob per session, encrypted with AES-256-GCM; and the blob's
/// lease, which is what makes a connector replica the session's one owner. A replica that dies
/// stops renewing and its lease lapses, so another takes the session over.
/// </summary>
public sealed class SessionCredentialStore
{
    private readonly StorageClients _clients;
    private readonly AesGcmFieldProtector? _protector;

    public SessionCredentialStore(StorageClients clients, IOptions<SessionOptions> options)
    {
        _clients = clients;
        var configured = options.Value.EncryptionKey;
        _protector = string.IsNullOrWhiteSpace(configured) ? null : new AesGcmFieldProtector(Convert.FromBase64String(configured));
    }

    private BlobContainerClient Container => _clients.Blobs.GetBlobContainerClient(_clients.Name(TableNames.SessionStateContainer));

    public BlobClient BlobOf(string sessionKey) => Container.GetBlobClient(sessionKey.Replace('~', '/'));

    /// <summary>Makes sure the blob exists (a lease needs one) without touching existing credentials.</summary>
    public async Task EnsureAsync(string sessionKey, CancellationToken cancellationToken)
    {
        await Container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        try
        {
            await BlobOf(sessionKey).UploadAsync(BinaryData.FromBytes([]), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Already there.
        }
    }

    /// <summary>Tries to become the owner. Returns the lease id, or null when another replica holds it.</summary>
    public async Task<string?> TryAcquireAsync(string sessionKey, string leaseId, TimeSpan duration, CancellationToken cancellationToken)
    {
        await EnsureAsync(sessionKey, cancellationToken);
        try
        {
            var lease = await BlobOf(sessionKey).GetBlobLeaseClient(leaseId).AcquireAsync(duration, cancellationToken: cancellationToken);
            return lease.Value.LeaseId;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    /// <summary>False when the lease is lost (expired and taken, or broken).</summary>
    public async Task<bool> RenewAsync(string sessionKey, string leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await BlobOf(sessionKey).GetBlobLeaseClient(leaseId).RenewAsync(cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 404 or 412)
        {
            return false;
        }
    }

    public async Task ReleaseAsync(string sessionKey, string leaseId, CancellationToken cancellationToken)
    {
        try
        {
            await BlobOf(sessionKey).GetBlobLeaseClient(leaseId).ReleaseAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 404 or 412)
        {
            // Not ours any more.
        }
    }

    public async Task SaveAsync(string sessionKey, string leaseId, byte[] credentials, CancellationToken cancellationToken)
    {
        await BlobOf(sessionKey).UploadAsync(
            BinaryData.FromBytes(Protect(sessionKey, credentials)),
            new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = leaseId } },
            cancellationToken);
    }

    public async Task<byte[]?> LoadAsync(string sessionKey, CancellationToken cancellationToken)
    {
        try
        {
            var content = await BlobOf(sessionKey).DownloadContentAsync(cancellationToken);
            var bytes = content.Value.Content.ToArray();
            return bytes.Length == 0 ? null : Unprotect(sessionKey, bytes);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string sessionKey, string? leaseId, CancellationToken cancellationToken)
    {
        await BlobOf(sessionKey).DeleteIfExistsAsync(conditions: leaseId is null ? null : new BlobRequestConditions { LeaseId = leaseId }, cancellationToken: cancellationToken);
    }

    // Version 0 is plain, only when no key is configured (local runs); otherwise AesGcmFieldProtector's
    // format, bound to the session key so credentials copied to another session's blob do not decrypt.
    private byte[] Protect(string sessionKey, byte[] plain) =>
        _protector is null ? [0, .. plain] : _protector.Protect(plain, Encoding.UTF8.GetBytes(sessionKey));

    // Wrong key, another session's blob, or tampered: no credentials, so the session pairs again instead of crashing.
    private byte[]? Unprotect(string sessionKey, byte[] stored) =>
        stored[0] == 0
            ? (_protector is null ? stored[1..] : null)
            : _protector?.Unprotect(stored, Encoding.UTF8.GetBytes(sessionKey));
}
