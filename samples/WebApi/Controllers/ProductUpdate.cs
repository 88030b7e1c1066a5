using System.ComponentModel.DataAnnotations;

namespace WebApi.Controllers;

/// <summary>
/// The body of PUT /products/{id}. [ApiController] validates it before the action runs and answers 400 with a
/// ValidationProblemDetails when it is invalid. The properties are nullable so that a missing value is reported by
/// [Required] (a readable message) rather than bound as "" or 0.
/// </summary>
public sealed class ProductUpdate
{
    /// <summary>The new name: 1 to 100 characters, not only whitespace.</summary>
    [Required]
    [StringLength(100)]
    public string? Name { get; init; }

    /// <summary>The new price, 0.01 to 100,000.</summary>
    [Required]
    [Range(0.01, 100_000)]
    public decimal? Price { get; init; }
}
