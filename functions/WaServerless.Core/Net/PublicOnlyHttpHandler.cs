using System.Net.Sockets;

namespace WaServerless.Core.Net;

/// <summary>
/// The primary handler for every client that calls a URL a caller gave us (outbound webhooks, media
/// fetches). It resolves the host itself at connect time and connects only when every address is
/// public, to the addresses it checked, so a DNS answer that changes after the URL was accepted
/// (rebinding) cannot reach inside. Redirects are not followed automatically: a caller that follows
/// them sends each hop through this same check.
/// </summary>
public static class PublicOnlyHttpHandler
{
    /// <param name="allowPrivate">Local testing against loopback servers only.</param>
    /// <param name="blocked">The exception for a host with a non-public address (its message names the host).</param>
    public static SocketsHttpHandler Create(bool allowPrivate, TimeSpan connectTimeout, Func<string, Exception> blocked) =>
        Create(allowPrivate ? _ => true : NetworkAddresses.IsPublic, connectTimeout, blocked);

    /// <param name="allowed">Which addresses may be connected to; every address a host resolves to must pass.</param>
    public static SocketsHttpHandler Create(Func<System.Net.IPAddress, bool> allowed, TimeSpan connectTimeout, Func<string, Exception> blocked)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        ArgumentNullException.ThrowIfNull(blocked);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            // Fresh DNS answers now and then, so a moved server is followed.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = connectTimeout,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var host = context.DnsEndPoint.Host;
                var addresses = await NetworkAddresses.ResolveAsync(host, cancellationToken);
                if (addresses.Length == 0)
                {
                    throw new HttpRequestException($"{host} does not resolve.");
                }

                if (!addresses.All(allowed))
                {
                    throw blocked(host);
                }

                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
    }
}
