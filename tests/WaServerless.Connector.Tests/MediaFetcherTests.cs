using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WaServerless.Connector.Media;
using WaServerless.Core.Contracts;
using WaServerless.Core.Engines;
using WaServerless.Core.Media;
using WaServerless.Core.Net;
using WaServerless.Storage.Infrastructure;

namespace WaServerless.Connector.Tests;

/// <summary>
/// Where the bytes are fetched: a real loopback media server behind the connector's fetcher. The
/// fetcher here may connect to 127.0.0.1 only (standing in for "public"), so a redirect to
/// 127.0.0.2, another loopback address, is what a redirect into the private network looks like.
/// </summary>
public sealed class MediaFetcherTests : IAsyncLifetime
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, .. Enumerable.Range(0, 2000).Select(i => (byte)i)];
    private WebApplication _server = null!;
    private ServiceProvider _services = null!;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/photo.jpg", () => Results.Bytes(Jpeg, "image/jpeg"));
        _server.MapGet("/download", (HttpContext c) =>
        {
            c.Response.Headers.ContentDisposition = "attachment; filename=\"../../etc/invoice-42.pdf\"";
            return Results.Bytes(Jpeg, "application/octet-stream");
        });
        _server.MapGet("/page.html", () => Results.Text("<html></html>", "text/html"));
        _server.MapGet("/declared-big.jpg", (HttpContext c) =>
        {
            c.Response.ContentType = "image/jpeg";
            c.Response.ContentLength = 6L * 1024 * 1024;
            return c.Response.Body.WriteAsync(new byte[1024]).AsTask();
        });
        _server.MapGet("/undeclared-big.jpg", async (HttpContext c) =>
        {
            // No Content-Length (chunked): only counting while reading can stop it.
            c.Response.ContentType = "image/jpeg";
            var chunk = new byte[64 * 1024];
            for (var i = 0; i < 100 && !c.RequestAborted.IsCancellationRequested; i++)
            {
                await c.Response.Body.WriteAsync(chunk, c.RequestAborted);
                await c.Response.Body.FlushAsync(c.RequestAborted);
            }
        });
        _server.MapGet("/moved", () => Results.Redirect("/photo.jpg"));
        _server.MapGet("/loop", () => Results.Redirect("/loop"));
        _server.MapGet("/to-private", (HttpContext c) => Results.Redirect($"http://127.0.0.2:{c.Connection.LocalPort}/photo.jpg"));
        _server.MapGet("/to-file", () => Results.Redirect("file:///etc/passwd"));
        _server.MapGet("/gone", () => Results.StatusCode(404));
        _server.MapGet("/broken", () => Results.StatusCode(503));
        _server.MapGet("/slow.jpg", async (HttpContext c) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), c.RequestAborted);
            return Results.Bytes(Jpeg, "image/jpeg");
        });
        await _server.StartAsync();
        _base = new Uri(_server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/");

        // Generous: the suite shares two cores. The timeout itself is tested with a fetcher of its own.
        _services = FetcherServices(a => a.Equals(IPAddress.Loopback), TimeSpan.FromSeconds(20));
    }

    /// <summary>The connector's fetcher, with a handler that may connect only where <paramref name="allowed"/> says.</summary>
    private static ServiceProvider FetcherServices(Func<IPAddress, bool> allowed, TimeSpan fetchTimeout)
    {
        var services = new ServiceCollection();
        services.AddHttpClient(ConnectorMediaFetcher.ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => PublicOnlyHttpHandler.Create(allowed, TimeSpan.FromSeconds(2), host => new MediaAddressBlockedException(host)));
        services.AddSingleton(Options.Create(new MediaFetchOptions { FetchTimeout = fetchTimeout, MaxRedirects = 3 }));
        services.AddSingleton<IMediaFetcher, ConnectorMediaFetcher>();
        return services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    private IMediaFetcher Fetcher => _services.GetRequiredService<IMediaFetcher>();

    private Task<FetchedMedia> FetchAsync(string path, MediaKind kind = MediaKind.Image, long? maxBytes = null) =>
        Fetcher.FetchAsync(new Uri(_base, path), kind, maxBytes, CancellationToken.None);

    private async Task<MediaFetchException> RefusedAsync(string path, MediaKind kind = MediaKind.Image, long? maxBytes = null) =>
        await Assert.ThrowsAsync<MediaFetchException>(() => FetchAsync(path, kind, maxBytes));

    [Fact]
    public async Task Media_within_the_rules_are_read_whole_with_their_type_and_name()
    {
        var media = await FetchAsync("photo.jpg");

        Assert.Equal(Jpeg, media.Content.ToArray());
        Assert.Equal("image/jpeg", media.ContentType);
        Assert.Equal("photo.jpg", media.FileName);
    }

    [Fact]
    public async Task A_generic_type_is_inferred_from_the_file_name_and_a_name_is_never_a_path()
    {
        var media = await FetchAsync("download", MediaKind.Document);

        Assert.Equal("application/pdf", media.ContentType);
        Assert.Equal("invoice-42.pdf", media.FileName);
    }

    [Fact]
    public async Task A_type_whatsapp_does_not_take_for_the_kind_is_refused_permanently()
    {
        var e = await RefusedAsync("page.html");

        Assert.Equal(FailureKind.Permanent, e.Failure);
        Assert.Contains("text/html", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("declared-big.jpg")]
    [InlineData("undeclared-big.jpg")]
    public async Task Media_over_the_kinds_limit_fail_while_streaming_whatever_the_server_declares(string path)
    {
        var e = await RefusedAsync(path);

        Assert.Equal(FailureKind.Permanent, e.Failure);
        Assert.Contains("limit for image is 5242880", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_plans_limit_applies_when_it_is_lower_than_whatsapps()
    {
        var e = await RefusedAsync("photo.jpg", maxBytes: 1000);

        Assert.Contains("limit for image is 1000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirects_are_followed_each_through_the_address_check()
    {
        Assert.Equal(Jpeg, (await FetchAsync("moved")).Content.ToArray());

        var intoPrivate = await RefusedAsync("to-private");
        Assert.Equal(FailureKind.Permanent, intoPrivate.Failure);
        Assert.Contains("127.0.0.2", intoPrivate.Message, StringComparison.Ordinal);

        Assert.Contains("redirected more than 3 times", (await RefusedAsync("loop")).Message, StringComparison.Ordinal);
        Assert.Contains("scheme 'file'", (await RefusedAsync("to-file")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_is_resolved_and_its_addresses_checked_when_connecting_not_trusted_from_accept_time()
    {
        // What a rebinding name looks like at connect time: it now resolves to an address that is refused.
        await using var provider = FetcherServices(a => !IPAddress.IsLoopback(a), TimeSpan.FromSeconds(20));

        var e = await Assert.ThrowsAsync<MediaFetchException>(() => provider.GetRequiredService<IMediaFetcher>().FetchAsync(new Uri($"http://localhost:{_base.Port}/photo.jpg"), MediaKind.Image, null, CancellationToken.None));

        Assert.Equal(FailureKind.Permanent, e.Failure);
        Assert.Contains("'localhost' resolves to a loopback, private or reserved address", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gone", FailureKind.Permanent)]
    [InlineData("broken", FailureKind.Transient)]
    public async Task Server_errors_are_transient_and_missing_files_permanent(string path, FailureKind expected) =>
        Assert.Equal(expected, (await RefusedAsync(path)).Failure);

    [Fact]
    public async Task A_server_slower_than_the_fetch_timeout_is_transient()
    {
        await using var provider = FetcherServices(a => a.Equals(IPAddress.Loopback), TimeSpan.FromMilliseconds(500));

        var e = await Assert.ThrowsAsync<MediaFetchException>(() => provider.GetRequiredService<IMediaFetcher>().FetchAsync(new Uri(_base, "slow.jpg"), MediaKind.Image, null, CancellationToken.None));

        Assert.Equal(FailureKind.Transient, e.Failure);
        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Private_hosts_are_refused_as_a_setting_outside_azurite()
    {
        var azure = new MediaFetchOptionsValidation(Options.Create(new StorageOptions { TableServiceUri = new("https://x.table.core.windows.net") }));
        var azurite = new MediaFetchOptionsValidation(Options.Create(new StorageOptions { ConnectionString = "UseDevelopmentStorage=true" }));

        Assert.True(azure.Validate(null, new MediaFetchOptions { AllowPrivateHosts = true }).Failed);
        Assert.True(azurite.Validate(null, new MediaFetchOptions { AllowPrivateHosts = true }).Succeeded);
        Assert.True(azure.Validate(null, new MediaFetchOptions()).Succeeded);
    }
}
