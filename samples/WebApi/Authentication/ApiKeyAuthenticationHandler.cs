using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace WebApi.Authentication;

/// <summary>
/// Signs in the caller whose <c>X-Api-Key</c> header equals the configured <c>Cache:AdminApiKey</c>. It guards the
/// cache eviction endpoints (policy <see cref="CacheAdminPolicy"/>), which anyone could otherwise use to empty the cache
/// and send every request to the database.
/// </summary>
/// <remarks>
/// Secure by default: with no key configured, every key is refused, so the eviction endpoints answer 401 to everyone.
/// The key is read on each request, so a changed configuration applies without a restart. A request without the header
/// is simply anonymous (no result, nothing logged): this scheme is the app's only one, so the authentication middleware
/// runs it on every request, including the cached GETs.
/// </remarks>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The authorization policy that requires a caller signed in by this scheme.</summary>
    public const string CacheAdminPolicy = "CacheAdmin";

    /// <summary>The request header that carries the key.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>The configuration key of the expected key. Set it from the environment or a secret store, never in appsettings.json.</summary>
    public const string ConfigurationKey = "Cache:AdminApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var expected = configuration[ConfigurationKey];
        if (string.IsNullOrEmpty(expected))
        {
            return Task.FromResult(AuthenticateResult.Fail($"No API key is configured ({ConfigurationKey}): every key is refused."));
        }

        if (values is not [{ } provided] || !KeysMatch(provided, expected))
        {
            return Task.FromResult(AuthenticateResult.Fail($"Invalid {HeaderName}."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "cache-admin")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>401 with a WWW-Authenticate header, as HTTP requires of a 401, naming the header to send.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return base.HandleChallengeAsync(properties);
    }

    // Constant time, so the time a refusal takes says nothing about how much of the key was right. Comparing SHA-256
    // hashes of the UTF-8 bytes (always 32 bytes) rather than the bytes themselves also hides the key's length, which
    // FixedTimeEquals would reveal by returning at once on a length mismatch.
    private static bool KeysMatch(string provided, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(provided)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
