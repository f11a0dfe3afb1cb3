using System.ComponentModel.DataAnnotations;

namespace WaServerless.Api.Http;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Largest request body accepted; media travel by URL, so sends are small.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 256 * 1024;
}
