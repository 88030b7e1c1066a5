using System.Text.Json;
using System.Text.Json.Serialization;

namespace RedisAutoExpiry.Eviction;

/// <summary>Source-generated JSON for the endpoint's bodies: web defaults (camelCase, case-insensitive reads).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EvictionRequest))]
[JsonSerializable(typeof(TagEvicted))]
[JsonSerializable(typeof(TagsEvicted))]
[JsonSerializable(typeof(UrlEvicted))]
internal sealed partial class EvictionJsonContext : JsonSerializerContext;
