namespace WaServerless.DevHost;

internal static class Program
{
    public static async Task Main(string[] args)
    {
        await using var app = DevHostApplication.Build(args);
        await app.RunAsync();
    }
}
