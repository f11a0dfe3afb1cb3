namespace Azure.Messaging.ServiceBus
{
    internal static class OfflineSurface
    {
        internal const string Message = "offline API surface: compile-time only";
    }
}
