using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace WaServerless.Api.Portal;

/// <summary>
/// The customer portal: plain HTML, CSS and JavaScript embedded in this assembly and served at
/// /portal by both hosts. It calls the public API only, with the key the customer signs in with.
/// </summary>
public static class PortalSite
{
    public const string Path = "portal";

    /// <summary>
    /// No inline script or style, nothing from another host: the pages run only the files served
    /// here, show QR codes fetched as blobs, and talk to this origin's API.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
        "manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".webmanifest"] = "application/manifest+json",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, PortalFile> Files = Load();

    /// <summary>The file names served, for tests and the README.</summary>
    public static IReadOnlyCollection<string> Names => Files.Keys;

    /// <summary>The file a path under /portal names ("" and "/" are the page itself), or null.</summary>
    public static PortalFile? Find(string? path)
    {
        var name = string.IsNullOrEmpty(path) || path == "/" ? "index.html" : path.TrimStart('/');
        return Files.GetValueOrDefault(name);
    }

    /// <summary>The answer for GET /portal/{path}: the file with its security headers, a 304 for a current copy, or a 404.</summary>
    public static IActionResult Serve(HttpRequest request, string? path)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new PortalResult(Find(path), request.Headers.IfNoneMatch.ToString());
    }

    private static FrozenDictionary<string, PortalFile> Load()
    {
        const string prefix = "WaServerless.Api.Portal.Site/";
        var assembly = typeof(PortalSite).Assembly;
        var files = new Dictionary<string, PortalFile>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[prefix.Length..];
            var bytes = copy.ToArray();
            var type = ContentTypes.GetValueOrDefault(System.IO.Path.GetExtension(name), "application/octet-stream");
            files[name] = new PortalFile(name, type, bytes, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"");
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed class PortalResult(PortalFile? file, string ifNoneMatch) : IActionResult
    {
        public async Task ExecuteResultAsync(ActionContext context)
        {
            var response = context.HttpContext.Response;
            response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers.XFrameOptions = "DENY";
            response.Headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            if (file is null)
            {
                response.StatusCode = StatusCodes.Status404NotFound;
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync("Not found: the portal is at /portal/.", context.HttpContext.RequestAborted);
                return;
            }

            // Revalidated on every load, so a deployment's new files are picked up at once.
            response.Headers.CacheControl = "no-cache";
            response.Headers.ETag = file.ETag;
            if (ifNoneMatch.Split(',').Any(t => t.Trim() == file.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = file.ContentType;
            response.ContentLength = file.Content.Length;
            await response.Body.WriteAsync(file.Content, context.HttpContext.RequestAborted);
        }
    }
}

public sealed record PortalFile(string Name, string ContentType, byte[] Content, string ETag);
