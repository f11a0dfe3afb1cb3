using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WaServerless.Api.Http;

namespace WaServerless.Api.OpenApi;

/// <summary>GET /api/openapi.json: the API's contract, kept beside the routes (a test checks they agree).</summary>
public sealed class OpenApiHandler
{
    private static readonly Lazy<string> Document = new(() =>
    {
        using var stream = typeof(OpenApiHandler).Assembly.GetManifestResourceStream("WaServerless.Api.OpenApi.openapi.json")
            ?? throw new InvalidOperationException("openapi.json is not embedded.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private readonly string _json = Document.Value;

    public static string Json => Document.Value;

    public Task<IActionResult> GetAsync(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult<IActionResult>(new RawJsonResult(StatusCodes.Status200OK, _json));
    }
}
