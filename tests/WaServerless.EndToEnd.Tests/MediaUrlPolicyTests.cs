using System.Net.Http.Json;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// Tried as a hostile client would: media URLs on our own or the cloud's internal addresses are
/// refused before anything is stored or queued, on POST /api/send (form and JSON) and POST /api/bulk.
/// </summary>
public sealed class MediaUrlPolicyTests : IAsyncLifetime
{
    private DevHostInstance _host = null!;

    public async Task InitializeAsync() => _host = await DevHostInstance.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static IEnumerable<string> HostileUrls() =>
        File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hostile-media-urls.txt")).Where(l => l.Length > 0 && !l.StartsWith('#'));

    [Fact]
    public async Task Every_hostile_media_url_is_refused_with_MEDIA_URL_NOT_PUBLIC_and_nothing_is_queued()
    {
        var failures = new List<string>();
        var field = 0;
        string[] kinds = ["file", "document", "video", "audio"];
        foreach (var url in HostileUrls())
        {
            var kind = kinds[field++ % kinds.Length];
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["recipient"] = "+14155550900", [kind] = url });
            using var response = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/send", form));
            var body = await DevHostInstance.ReadAsync(response);
            var code = body.ValueKind == System.Text.Json.JsonValueKind.Object && body.TryGetProperty("error_code", out var c) ? c.GetString() : null;
            if ((int)response.StatusCode != 400 || code != "MEDIA_URL_NOT_PUBLIC")
            {
                failures.Add($"{kind}={url}: {(int)response.StatusCode} {code}");
            }
        }

        Assert.Empty(failures);
        using var listed = await _host.Client.SendAsync(_host.Request(HttpMethod.Get, "api/messages?recipient=%2B14155550900"));
        Assert.Equal(0, (await DevHostInstance.ReadAsync(listed)).GetProperty("data").GetProperty("items").GetArrayLength());

        // The API still accepts a good send afterwards.
        var (status, _) = await _host.SendJsonAsync(new { recipient = "+14155550900", text = "still fine" });
        Assert.Equal(202, status);
    }

    [Fact]
    public async Task A_json_send_and_a_campaign_with_media_on_the_metadata_endpoint_are_refused()
    {
        var (status, body) = await _host.SendJsonAsync(new { recipient = "+14155550901", file = "http://169.254.169.254/latest/meta-data/", caption = "x" });
        Assert.Equal((400, "MEDIA_URL_NOT_PUBLIC"), (status, body.GetProperty("error_code").GetString()));

        using var bulk = await _host.Client.SendAsync(_host.Request(HttpMethod.Post, "api/bulk", JsonContent.Create(new
        {
            name = "internal media",
            file = "http://[::ffff:a9fe:a9fe]/latest",
            recipients = new[] { "+14155550902" },
        })));
        var refused = await DevHostInstance.ReadAsync(bulk);
        Assert.Equal(400, (int)bulk.StatusCode);
        Assert.Equal("MEDIA_URL_NOT_PUBLIC", refused.GetProperty("error_code").GetString());
    }
}
