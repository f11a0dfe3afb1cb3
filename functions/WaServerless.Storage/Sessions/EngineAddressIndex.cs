using Azure;
using Azure.Data.Tables;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Storage.Sessions;

/// <summary>
/// Which session an engine address belongs to (a Cloud API business number, by its phone number
/// id): one session per address, across all accounts, so that no two accounts send as one number
/// and a number's inbound messages have exactly one destination.
/// </summary>
public sealed class EngineAddressIndex(StorageClients clients, SessionStore sessions)
{
    private TableClient Table => clients.Table(TableNames.EngineAddresses);

    /// <summary>
    /// Binds the address to the session unless another session holds it; returns the session key it
    /// belongs to now. A binding whose session is gone, logged out or being deleted is taken over.
    /// </summary>
    public async Task<string> BindAsync(string engine, string address, string sessionKey, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var existing = await Table.GetEntityIfExistsAsync<TableEntity>(engine, address, cancellationToken: cancellationToken);
            try
            {
                if (!existing.HasValue)
                {
                    await Table.AddEntityAsync(new TableEntity(engine, address) { ["SessionKey"] = sessionKey }, cancellationToken);
                    return sessionKey;
                }

                var row = existing.Value!;
                var holder = row.GetString("SessionKey") ?? string.Empty;
                if (holder == sessionKey || await IsActiveAsync(holder, cancellationToken))
                {
                    return holder;
                }

                await Table.UpdateEntityAsync(new TableEntity(engine, address) { ["SessionKey"] = sessionKey }, row.ETag, TableUpdateMode.Replace, cancellationToken);
                return sessionKey;
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < 3)
            {
                // Another replica bound it in between: read again.
            }
        }
    }

    /// <summary>The session key the address belongs to, or null.</summary>
    public async Task<string?> FindAsync(string engine, string address, CancellationToken cancellationToken)
    {
        var existing = await Table.GetEntityIfExistsAsync<TableEntity>(engine, address, cancellationToken: cancellationToken);
        return existing.HasValue ? existing.Value!.GetString("SessionKey") : null;
    }

    private async Task<bool> IsActiveAsync(string sessionKey, CancellationToken cancellationToken)
    {
        if (!sessionKey.Contains('~', StringComparison.Ordinal))
        {
            return false;
        }

        var key = Core.Sessions.SessionKey.Parse(sessionKey);
        return await sessions.GetAsync(key.AccountId, key.Name, cancellationToken) is { Desire: Core.Sessions.SessionDesire.Active };
    }
}
