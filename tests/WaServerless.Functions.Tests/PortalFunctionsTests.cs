using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using WaServerless.Api.Portal;
using WaServerless.Functions.Http;

namespace WaServerless.Functions.Tests;

/// <summary>The Functions app serves the same portal files as the devhost, with the same headers.</summary>
public sealed class PortalFunctionsTests
{
    private static async Task<HttpResponse> GetAsync(string? path, string? ifNoneMatch = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/portal/" + path;
        if (ifNoneMatch is not null)
        {
            context.Request.Headers.IfNoneMatch = ifNoneMatch;
        }

        context.Response.Body = new MemoryStream();
        var result = new PortalFunctions().Portal(context.Request, path);
        await result.ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
        return context.Response;
    }

    [Fact]
    public async Task The_page_and_its_files_come_with_their_types_and_a_strict_policy()
    {
        var page = await GetAsync(null);
        var script = await GetAsync("portal.js");
        var style = await GetAsync("portal.css");

        Assert.Equal((200, "text/html; charset=utf-8"), (page.StatusCode, page.ContentType));
        Assert.Equal((200, "text/javascript; charset=utf-8"), (script.StatusCode, script.ContentType));
        Assert.Equal((200, "text/css; charset=utf-8"), (style.StatusCode, style.ContentType));
        Assert.Equal(PortalSite.ContentSecurityPolicy, page.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("nosniff", page.Headers.XContentTypeOptions.ToString());
        page.Body.Position = 0;
        var html = await new StreamReader(page.Body).ReadToEndAsync();
        Assert.Contains("<script type=\"module\" src=\"/portal/portal.js\"></script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_current_copy_is_answered_304_and_an_unknown_file_404()
    {
        var first = await GetAsync("sessions.js");
        var again = await GetAsync("sessions.js", first.Headers.ETag.ToString());
        var missing = await GetAsync("../appsettings.json");

        Assert.Equal(304, again.StatusCode);
        Assert.Equal(404, missing.StatusCode);
    }

    [Fact]
    public void No_file_inlines_script_or_style_or_writes_html_from_strings()
    {
        foreach (var name in PortalSite.Names)
        {
            var text = System.Text.Encoding.UTF8.GetString(PortalSite.Find(name)!.Content);
            Assert.DoesNotContain("innerHTML", text, StringComparison.Ordinal);
            Assert.DoesNotContain("insertAdjacentHTML", text, StringComparison.Ordinal);
            Assert.DoesNotContain("style=\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>", text, StringComparison.Ordinal);
        }
    }
}
