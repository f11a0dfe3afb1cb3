using Microsoft.AspNetCore.Http;
using WaServerless.Api.Http;

namespace WaServerless.Api.Compat;

/// <summary>The query string and the body (a form or JSON) as one case-insensitive set, as APIs that take either send them; the body wins a name given in both.</summary>
public static class SurfaceParameters
{
    public static async Task<Dictionary<string, string>> ReadAsync(RequestFieldsReader reader, HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(request);
        var all = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Query)
        {
            all[name] = value.ToString();
        }

        if ((HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method))
            && (request.ContentLength > 0 || request.ContentType is { Length: > 0 }))
        {
            foreach (var (name, value) in await reader.ReadAsync(request, cancellationToken))
            {
                all[name] = value;
            }
        }

        return all;
    }
}
