using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Routing;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// A tag of <see cref="CacheForAttribute.Tags"/>: fixed text with <c>{name}</c> placeholders filled from the request's
/// route values (<c>"product:{id}"</c>). <c>{{</c> and <c>}}</c> stand for literal braces.
/// </summary>
internal sealed class TagTemplate
{
    // Literal text and placeholder names alternate: even indexes are text, odd ones route value names.
    private readonly string[] _parts;

    private TagTemplate(string template, string[] parts)
    {
        Template = template;
        _parts = parts;
    }

    public string Template { get; }

    /// <summary>Parses a template; a malformed one throws at declaration, not on some later request.</summary>
    /// <exception cref="ArgumentException">The template is empty, has an unmatched brace or an empty placeholder.</exception>
    public static TagTemplate Parse(string template)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            throw new ArgumentException("A tag must not be null, empty or whitespace.", nameof(template));
        }

        var parts = new List<string>();
        var text = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var character = template[i];
            if (character is '{' or '}' && i + 1 < template.Length && template[i + 1] == character)
            {
                text.Append(character);
                i++;
            }
            else if (character == '{')
            {
                var close = template.IndexOf('}', i + 1);
                var name = close < 0 ? string.Empty : template[(i + 1)..close];
                if (close < 0 || string.IsNullOrWhiteSpace(name) || name.Contains('{'))
                {
                    throw new ArgumentException(
                        $"The tag template \"{template}\" has a malformed placeholder at {i}: write {{name}} for a route value, {{{{ and }}}} for literal braces.",
                        nameof(template));
                }

                parts.Add(text.ToString());
                parts.Add(name);
                text.Clear();
                i = close;
            }
            else if (character == '}')
            {
                throw new ArgumentException(
                    $"The tag template \"{template}\" has an unmatched '}}' at {i}: write }}}} for a literal brace.", nameof(template));
            }
            else
            {
                text.Append(character);
            }
        }

        parts.Add(text.ToString());
        return new TagTemplate(template, [.. parts]);
    }

    /// <summary>
    /// Fills the placeholders; false (and the name of the missing value) when a route value is absent or empty, for a
    /// tag that cannot be filled must not be stored as a broader tag than the one declared.
    /// </summary>
    public bool TryRender(RouteValueDictionary routeValues, out string tag, out string? missing)
    {
        missing = null;
        if (_parts.Length == 1)
        {
            tag = _parts[0];
            return true;
        }

        // Every cacheable request renders its tags, hits included: built on the stack, so the tag is the one allocation.
        var builder = new DefaultInterpolatedStringHandler(0, 0, CultureInfo.InvariantCulture, stackalloc char[128]);
        for (var i = 0; i < _parts.Length; i++)
        {
            if (i % 2 == 0)
            {
                builder.AppendLiteral(_parts[i]);
                continue;
            }

            var value = Convert.ToString(routeValues[_parts[i]], CultureInfo.InvariantCulture);
            if (string.IsNullOrEmpty(value))
            {
                // A buffer rented for a long tag is left to the GC: the pool does not need it back.
                missing = _parts[i];
                tag = string.Empty;
                return false;
            }

            builder.AppendLiteral(value);
        }

        tag = builder.ToStringAndClear();
        return true;
    }
}
