using System.Globalization;
using Microsoft.AspNetCore.Http;
using WaServerless.Core.Errors;

namespace WaServerless.Api.Http;

/// <summary>The "limit" of a list route: a whole number from 1 to the route's maximum, its default when absent.</summary>
public static class QueryLimit
{
    /// <exception cref="ApiErrorException">400 with <paramref name="errorCode"/> when it is not such a number.</exception>
    public static int Read(IQueryCollection query, int defaultLimit, int maxLimit, string errorCode)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (!query.TryGetValue("limit", out var text))
        {
            return defaultLimit;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 && limit <= maxLimit
            ? limit
            : throw new ApiErrorException(ApiError.BadRequest(errorCode, $"limit must be a whole number from 1 to {maxLimit}."));
    }
}
