using System.Net;
using System.Net.Sockets;

namespace WaServerless.TestKit;

/// <summary>Ports for the servers tests start on loopback.</summary>
public static class LoopbackPorts
{
    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
