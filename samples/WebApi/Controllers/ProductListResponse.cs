using WebApi.Catalog;

namespace WebApi.Controllers;

/// <summary>The catalog as GET /products renders it; <paramref name="GeneratedAt"/> is when the action ran.</summary>
public sealed record ProductListResponse(IReadOnlyList<Product> Products, string GeneratedAt);
