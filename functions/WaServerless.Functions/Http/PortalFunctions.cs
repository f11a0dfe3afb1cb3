using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using WaServerless.Api.Portal;

namespace WaServerless.Functions.Http;

/// <summary>The customer portal's static files at /portal, as the devhost serves them.</summary>
public sealed class PortalFunctions
{
    [Function(nameof(Portal))]
    public IActionResult Portal([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = PortalSite.Path + "/{*path}")] HttpRequest request, string? path) =>
        PortalSite.Serve(request, path);
}
