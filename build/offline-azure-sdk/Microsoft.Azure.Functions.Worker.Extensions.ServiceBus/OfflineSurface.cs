namespace Microsoft.Azure.Functions.Worker.Extensions.ServiceBus
{
    internal static class OfflineSurface
    {
        internal const string Message = "offline API surface: compile-time only";
    }
}
