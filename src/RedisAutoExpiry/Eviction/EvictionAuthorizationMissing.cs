using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;

namespace RedisAutoExpiry.Eviction;

/// <summary>
/// Metadata put on an eviction endpoint that the app neither secured nor opened explicitly: it then refuses every
/// call (401). Anyone able to evict can empty the cache and send the whole load to the origin, so eviction is never
/// anonymous by accident.
/// </summary>
internal sealed class EvictionAuthorizationMissing
{
    public static readonly EvictionAuthorizationMissing Instance = new();

    private EvictionAuthorizationMissing()
    {
    }

    /// <summary>A <c>Finally</c> convention: it sees the metadata of every convention, the app's included.</summary>
    public static void MarkIfUnsecured(EndpointBuilder endpoint)
    {
        foreach (var item in endpoint.Metadata)
        {
            if (item is IAuthorizeData or AuthorizationPolicy or IAuthorizationRequirementData or IAllowAnonymous)
            {
                return;
            }
        }

        endpoint.Metadata.Add(Instance);
    }
}
