namespace Microsoft.Azure.Functions.Worker
{
    internal static class OfflineSurface
    {
        internal const string Message = "offline API surface: compile-time only";
    }
}
