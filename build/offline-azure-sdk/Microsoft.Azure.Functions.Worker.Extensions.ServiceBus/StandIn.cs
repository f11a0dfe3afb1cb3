namespace Microsoft.Azure.Functions.Worker.Extensions.ServiceBus
{
    internal static class StandIn
    {
        internal const string Message = "compile-time stand-in for Microsoft.Azure.Functions.Worker.Extensions.ServiceBus: it never runs";
    }
}
