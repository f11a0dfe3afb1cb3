using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using WaServerless.Api.Http;
using WaServerless.Core.Contracts;

namespace WaServerless.Api.Compat;

/// <summary>
/// A native handler's answer read back as JSON, so a compatibility surface can answer in its own
/// shape from what the same handler decided: the status, the body, and for a refusal its message
/// and error_code.
/// </summary>
public sealed record NativeAnswer(int Status, JsonElement Body)
{
    public bool Succeeded => Status is >= 200 and < 300;

    /// <summary>The native "data" object of a success.</summary>
    public JsonElement Data => Body.TryGetProperty("data", out var data) ? data : Body;

    public string ErrorMessage => Body.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()! : "The request was refused.";

    public string ErrorCode => Body.TryGetProperty("error_code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "ERROR";

    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public static NativeAnswer Of(IActionResult result) => result switch
    {
        RawJsonResult raw => new(raw.Status, Parse(raw.Body)),
        JsonApiResult json => new(json.Status, Parse(JsonSerializer.Serialize(json.Body, json.Body.GetType(), WireJson.Options))) { Headers = json.Headers },
        _ => throw new InvalidOperationException($"A native handler answered with a {result?.GetType().Name}, which a surface cannot read."),
    };

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
