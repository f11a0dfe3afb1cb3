using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using WaServerless.Core.Contracts;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Http;

/// <summary>
/// Results that write themselves: the Functions ASP.NET Core integration executes the
/// IActionResult a function returns, and the devhost executes the same object, so neither needs
/// MVC's result executors.
/// </summary>
public sealed class JsonApiResult(int status, object body, IReadOnlyDictionary<string, string>? headers = null) : IActionResult
{
    public int Status { get; } = status;

    public object Body { get; } = body;

    public IReadOnlyDictionary<string, string>? Headers { get; } = headers;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json; charset=utf-8";
        foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
        {
            response.Headers[name] = value;
        }

        await JsonSerializer.SerializeAsync(response.Body, Body, Body.GetType(), WireJson.Options, context.HttpContext.RequestAborted);
    }
}

/// <summary>A response body kept as text: an idempotent replay returns the first response byte for byte.</summary>
public sealed class RawJsonResult(int status, string body) : IActionResult
{
    public int Status { get; } = status;

    public string Body { get; } = body;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.HttpContext.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(Body, context.HttpContext.RequestAborted);
    }
}

public static class ApiResults
{
    public static JsonApiResult Error(ApiError error, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new JsonApiResult(error.Status, ErrorBody(error), headers);
    }

    public static ErrorResponse ErrorBody(ApiError error) => new(false, error.Message, error.Code, error.Status, error.Hint);

    public static JsonApiResult Ok<T>(T data)
        where T : notnull => new(StatusCodes.Status200OK, new DataResponse<T>(true, data));
}

/// <summary>The error shape of every endpoint: {"success":false,"error","error_code","code"} plus a hint when there is one.</summary>
public sealed record ErrorResponse(bool Success, string Error, string ErrorCode, int Code, string? Hint);

public sealed record DataResponse<T>(bool Success, T Data);
