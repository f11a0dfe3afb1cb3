using Microsoft.AspNetCore.Http;
using WaServerless.Api.Http;

namespace WaServerless.Api.Compat.SmartWats;

/// <summary>
/// SmartWats documents its requests, not its answers; they are given here in the usual style of such
/// APIs: {"status": "success", "message", "data"}, and {"status": "error", "message"} with this
/// API's error_code beside.
/// </summary>
public static class SmartWatsShapes
{
    public static JsonApiResult Ok(string message, object data, int status = StatusCodes.Status200OK) => new(status, new SmartWatsAnswer("success", message, data));

    public static JsonApiResult Error(NativeAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Error(answer.Status, answer.ErrorCode, answer.ErrorMessage, answer.Headers);
    }

    public static JsonApiResult Error(int status, string code, string message, IReadOnlyDictionary<string, string>? headers = null) =>
        new(status, new SmartWatsError("error", message, code), headers);
}

public sealed record SmartWatsAnswer(string Status, string Message, object Data);

public sealed record SmartWatsError(string Status, string Message, string ErrorCode);
