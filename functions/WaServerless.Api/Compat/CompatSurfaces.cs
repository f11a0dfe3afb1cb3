using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WaServerless.Api.Compat.SmsMobileApi;
using WaServerless.Api.Http;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Compat;

/// <summary>
/// The drop-in surfaces of other WhatsApp APIs, each under its own prefix, and the shape each gives
/// a refusal in: a refusal raised anywhere on a surface's routes (the caller gate, a handler, a
/// storage outage) is answered in that API's shape, with this API's error_code beside it.
/// </summary>
public static class CompatSurfaces
{
    public const string SmsMobileApiPrefix = "/" + ApiEndpoints.Prefix + "/smsmobileapi";

    public const string V1Prefix = "/" + ApiEndpoints.Prefix + "/v1";

    public const string SmartWatsPrefix = "/" + ApiEndpoints.Prefix + "/smartwats";

    public const string SmsGlobalPrefix = "/" + ApiEndpoints.Prefix + "/smsglobal";

    /// <summary>The answer as the surface of <paramref name="path"/> gives it; a native answer stays as it is.</summary>
    public static IActionResult Reshape(PathString path, IActionResult result)
    {
        if (result is not JsonApiResult { Body: ErrorResponse error } json)
        {
            return result;
        }

        if (path.StartsWithSegments(SmsMobileApiPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return SmsMobileApiShapes.Error(new ApiError(json.Status, error.ErrorCode, error.Error, error.Hint), json.Headers);
        }

        if (path.StartsWithSegments(SmsGlobalPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return SmsGlobal.SmsGlobalShapes.Error(json.Status, error.ErrorCode, error.Error, json.Headers);
        }

        if (path.StartsWithSegments(SmartWatsPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return SmartWats.SmartWatsShapes.Error(json.Status, error.ErrorCode, error.Error, json.Headers);
        }

        return path.StartsWithSegments(V1Prefix, StringComparison.OrdinalIgnoreCase)
            ? V1.V1Shapes.Error(json.Status, error.ErrorCode, error.Error, json.Headers)
            : result;
    }
}
