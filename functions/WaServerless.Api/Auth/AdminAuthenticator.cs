using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Auth;

/// <summary>Bound from "Admin". In Azure, Admin__ApiKey is a Key Vault reference.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The operator's credential for the admin API; not an account key. Unset disables the admin API.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The usable key: an unresolved Key Vault reference (the app setting still reads
    /// "@Microsoft.KeyVault(...)") or a short value counts as not configured.
    /// </summary>
    public string? EffectiveKey =>
        string.IsNullOrWhiteSpace(ApiKey) || ApiKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase) || ApiKey.Length < 24
            ? null
            : ApiKey;
}

/// <summary>Checks the X-Admin-Key header against the configured admin credential, in constant time.</summary>
public sealed class AdminAuthenticator(IOptions<AdminOptions> options)
{
    public const string Header = "X-Admin-Key";

    public static bool IsAdminRequest(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.ContainsKey(Header);
    }

    public void Authenticate(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var expected = options.Value.EffectiveKey
            ?? throw new ApiErrorException(new ApiError(403, ErrorCodes.AdminApiDisabled, "The admin API is disabled: Admin:ApiKey is not configured."));
        var given = request.Headers[Header].ToString();
        if (given.Length == 0)
        {
            throw new ApiErrorException(new ApiError(401, ErrorCodes.AdminKeyRequired, $"This endpoint needs the admin credential in the {Header} header."));
        }

        // Hash both sides so the comparison is constant-time whatever the lengths.
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            throw new ApiErrorException(new ApiError(401, ErrorCodes.AdminKeyRequired, "The admin credential is not valid."));
        }
    }
}
