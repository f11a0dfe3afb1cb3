namespace WaServerless.Core.Errors;

/// <summary>A refusal the API returns to its caller: HTTP status, stable code, human message and an optional hint.</summary>
public sealed record ApiError(int Status, string Code, string Message, string? Hint = null)
{
    public static ApiError BadRequest(string code, string message, string? hint = null) => new(400, code, message, hint);

    public static ApiError Unauthorized(string message, string? hint = null) => new(401, ErrorCodes.InvalidKey, message, hint);
}

/// <summary>Thrown where a refusal must cross a layer that returns values of another type.</summary>
public sealed class ApiErrorException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
