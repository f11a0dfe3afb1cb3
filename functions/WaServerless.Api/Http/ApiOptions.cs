using System.ComponentModel.DataAnnotations;

namespace WaServerless.Api.Http;

public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Largest request body accepted; media travel by URL, so sends are small.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>
    /// How long a request may take before its answer starts: past it the request is cancelled and
    /// answered 503 SERVICE_UNAVAILABLE with Retry-After. Well below the 230 s Azure's front end gives
    /// an HTTP-triggered function; streams (server-sent events) are not cut once they have started.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:03:00")]
    public TimeSpan RequestDeadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an instance may answer a send's key lookup from memory (0: never). A key revoked or an
    /// account suspended through another instance keeps working here for at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan CallerCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an instance may answer a send's session lookup (exists, connected) from memory (0: never).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan SessionCacheDuration { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an OAuth2 access token from POST /api/oauth2/token is valid (RFC 6749's expires_in).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
