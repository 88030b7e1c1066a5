using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// The <c>Cache-Control</c> one <see cref="CacheForAttribute"/> sends. By default <c>no-cache</c>: clients revalidate.
/// With client caching, <c>public|private, max-age</c>, where max-age is chosen per response so that a client keeps
/// it for <see cref="CacheForAttribute.ClientDuration"/> from when it receives it, but never longer than Redis does.
/// </summary>
internal sealed class ClientCacheControl
{
    private readonly string? _scope;
    private readonly long _clientSeconds;
    private readonly long _serverSeconds;

    public ClientCacheControl(CacheForAttribute declaration)
    {
        _serverSeconds = declaration.Seconds;
        if (declaration.Location == ResponseCacheLocation.None && declaration.ClientDuration == 0)
        {
            // A fresh instance, never the interned literal: CacheForResponse tells its own pre-written value from a
            // stored one by reference (the stored one may be the framework's interned "no-cache").
            Value = new string("no-cache");
            return;
        }

        _scope = declaration.Location == ResponseCacheLocation.Client ? "private" : "public";
        _clientSeconds = declaration.ClientDuration > 0 ? declaration.ClientDuration : declaration.Seconds;
        Value = Format(_clientSeconds);
    }

    /// <summary>What a freshly rendered response carries (its Age is 0).</summary>
    public string Value { get; }

    /// <summary>Whether <see cref="ForAge"/> can differ from <see cref="Value"/>: only for client caching.</summary>
    public bool VariesWithAge => _scope is not null;

    /// <summary>
    /// What a response served at <paramref name="age"/> seconds carries. Clients compute their remaining freshness as
    /// max-age − Age, so max-age = Age + min(ClientDuration, what Redis still holds). With ClientDuration equal to the
    /// server's duration this is the stored value, unchanged.
    /// </summary>
    public string ForAge(long age)
    {
        if (_scope is null)
        {
            return Value;
        }

        var remaining = Math.Max(0, Math.Min(_clientSeconds, _serverSeconds - age));
        return remaining + age == _clientSeconds ? Value : Format(age + remaining);
    }

    private string Format(long maxAge) => string.Concat(_scope, ", max-age=", maxAge.ToString(CultureInfo.InvariantCulture));
}
