using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace WebApi.Catalog;

/// <summary>
/// The sample's data source: three products in memory, registered as a singleton so an update is seen by every later
/// request. It stands for the database of a real app; the point of the sample is that a cached response keeps showing
/// the old product until the update evicts it. Public because the public controller takes it in its constructor.
/// </summary>
public sealed class ProductCatalog
{
    private readonly ConcurrentDictionary<int, Product> _products = new()
    {
        [1] = new Product(1, "Espresso beans, 1 kg", 24.90m),
        [2] = new Product(2, "Hand grinder", 89.00m),
        [3] = new Product(3, "Milk jug, 350 ml", 12.50m),
    };

    /// <summary>Every product, by id.</summary>
    public IReadOnlyList<Product> GetAll() => [.. _products.Values.OrderBy(product => product.Id)];

    /// <summary>Looks a product up; false when the id is unknown.</summary>
    public bool TryGet(int id, [NotNullWhen(true)] out Product? product) => _products.TryGetValue(id, out product);

    /// <summary>Replaces the name and price of an existing product; false (and nothing added) when the id is unknown.</summary>
    public bool TryUpdate(int id, string name, decimal price, [NotNullWhen(true)] out Product? updated)
    {
        // Compare-and-swap, so two concurrent updates of one product cannot interleave into a mix of both.
        while (_products.TryGetValue(id, out var current))
        {
            var next = current with { Name = name, Price = price };
            if (_products.TryUpdate(id, next, current))
            {
                updated = next;
                return true;
            }
        }

        updated = null;
        return false;
    }
}
