using System.Net;
using System.Net.Sockets;

namespace WaServerless.Core.Net;

/// <summary>
/// Which addresses the platform may call on a client's behalf (media size probes, webhooks): only
/// public ones. Loopback, private, link-local, carrier-grade NAT, multicast and reserved ranges are
/// refused so that a URL a client gives us cannot reach into our own network or the cloud's
/// metadata endpoint (169.254.169.254).
/// </summary>
public static class NetworkAddresses
{
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var v6 = address.GetAddressBytes();
            // Link-local, site-local, unique local (fc00::/7), multicast, NAT64, 6to4 and Teredo
            // (2001::/32) can all reach private IPv4 or the local link.
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast || address.IsIPv6Teredo
                || (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b)
                || (v6[0] == 0x20 && v6[1] == 0x02));
        }

        var b = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork && !(
            b[0] == 10 || b[0] == 0 || b[0] == 127 || b[0] >= 224
            || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
            || (b[0] == 192 && b[1] == 168)
            || (b[0] == 192 && b[1] == 0 && b[2] == 0)
            || (b[0] == 198 && (b[1] == 18 || b[1] == 19))
            || (b[0] == 169 && b[1] == 254)
            || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
            // Azure's platform endpoint (DNS, health probes, the instance's wire server).
            || (b[0] == 168 && b[1] == 63 && b[2] == 129 && b[3] == 16));
    }

    /// <summary>The host's addresses (a literal is its own); empty when the name does not resolve.</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return [];
        }
    }

    /// <summary>
    /// Whether a URL's host may be fetched on a client's behalf. A literal (in any notation: Uri
    /// already turns decimal, hex, octal and short IPv4 forms into dotted quads, and IPv4-mapped
    /// IPv6 is mapped back) is judged as it is; a name by every address it resolves to, so a name
    /// that resolves to a private address is refused. A name that does not resolve in time is
    /// <see cref="HostVerdict.Unresolved"/>: whoever fetches it checks again at connect time.
    /// </summary>
    public static async Task<HostCheck> CheckHostAsync(Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var host = url.DnsSafeHost;
        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(host, out var literal))
        {
            return IsPublic(literal) ? new HostCheck(HostVerdict.Public, null) : new HostCheck(HostVerdict.NotPublic, literal);
        }

        // RFC 6761: localhost and its subdomains are loopback whatever a resolver says (a trailing dot included).
        var name = host.TrimEnd('.');
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new HostCheck(HostVerdict.NotPublic, IPAddress.Loopback);
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        IPAddress[] addresses;
        try
        {
            addresses = await ResolveAsync(host, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HostCheck(HostVerdict.Unresolved, null);
        }

        if (addresses.Length == 0)
        {
            return new HostCheck(HostVerdict.Unresolved, null);
        }

        var offending = addresses.FirstOrDefault(a => !IsPublic(a));
        return offending is null ? new HostCheck(HostVerdict.Public, null) : new HostCheck(HostVerdict.NotPublic, offending);
    }

    /// <summary>True when the host resolves and every address it resolves to is public.</summary>
    public static async Task<bool> IsPublicHostAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(host, cancellationToken);
        return addresses.Length > 0 && addresses.All(IsPublic);
    }
}

public enum HostVerdict
{
    Public,
    /// <summary>A literal, or a name with at least one address, that is loopback, private, link-local or reserved.</summary>
    NotPublic,
    /// <summary>The name did not resolve (or not in time).</summary>
    Unresolved,
}

/// <param name="Address">The first address that is not public, when there is one.</param>
public sealed record HostCheck(HostVerdict Verdict, IPAddress? Address);
