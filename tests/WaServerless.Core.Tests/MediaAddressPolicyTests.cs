using WaServerless.Core.Net;

namespace WaServerless.Core.Tests;

/// <summary>The one address policy media and webhooks share: hostile hosts in every notation are not public.</summary>
public sealed class MediaAddressPolicyTests
{
    public static TheoryData<string> HostileUrls()
    {
        var data = new TheoryData<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "hostile-media-urls.txt")))
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                data.Add(line);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(HostileUrls))]
    public async Task A_private_loopback_link_local_or_reserved_host_is_not_public_in_any_notation(string url)
    {
        var check = await NetworkAddresses.CheckHostAsync(new Uri(url), TimeSpan.FromSeconds(2), default);

        Assert.Equal(HostVerdict.NotPublic, check.Verdict);
        Assert.NotNull(check.Address);
    }

    [Theory]
    [InlineData("https://8.8.8.8/a.jpg")]
    [InlineData("https://[2606:4700:4700::1111]/a.jpg")]
    [InlineData("http://93.184.216.34/x.pdf")]
    public async Task A_public_address_is_public(string url) =>
        Assert.Equal(HostVerdict.Public, (await NetworkAddresses.CheckHostAsync(new Uri(url), TimeSpan.FromSeconds(2), default)).Verdict);

    [Fact]
    public async Task A_name_that_does_not_resolve_is_left_to_the_fetch_to_check() =>
        Assert.Equal(HostVerdict.Unresolved, (await NetworkAddresses.CheckHostAsync(new Uri("https://no-such-host.invalid/a.jpg"), TimeSpan.FromSeconds(2), default)).Verdict);
}
