using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace RedisAutoExpiry.Redis;

/// <summary>
/// The SHA1 Redis files each script under, computed once per script. The cache sends <c>EVALSHA</c> with it and falls
/// back to <c>EVAL</c> on NOSCRIPT (see RedisStore), rather than hand the script text to the client on every call,
/// which looks the text up (hashing it whole) per call to find its SHA; StackExchange.Redis 1.2.6's load-then-EVALSHA
/// path, taken after a SCRIPT FLUSH or a restart, also lost sync calls.
/// </summary>
internal static class ScriptHashes
{
    // Scripts are constants: one string instance each, so the lookup compares references, not whole texts.
    private static readonly ConcurrentDictionary<string, byte[]> Hashes = new(ReferenceEqualityComparer.Instance);

    public static byte[] Of(string script) => Hashes.GetOrAdd(script, static text => SHA1.HashData(Encoding.UTF8.GetBytes(text)));
}
