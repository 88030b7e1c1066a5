namespace WebApi.Catalog;

/// <summary>A product as the catalog holds it. Public because the controller's public actions return it.</summary>
public sealed record Product(int Id, string Name, decimal Price);
