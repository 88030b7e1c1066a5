using Microsoft.AspNetCore.Mvc;
using RedisAutoExpiry;
using WebApi.Catalog;

namespace WebApi.Controllers;

/// <summary>
/// Products, output cached in Redis: each GET response is rendered once and served from Redis for 60 s, with
/// <c>Cache-Control: no-cache</c> and an <c>ETag</c>, so clients revalidate and get a 304 while Redis holds it. A PUT
/// evicts the tags of what it changed, so the next GET renders the new product at once instead of up to 60 s later.
/// </summary>
/// <remarks>
/// The controller-level [CacheFor] applies to every action that declares none; an action's own [CacheFor] replaces it
/// entirely, tags included. The PUT is not cached: output caching stores GET and HEAD responses only. MVC discovers
/// public controllers only, hence public (and so are the types in its signatures).
/// </remarks>
[ApiController]
[Route("products")]
[CacheFor(60, Tags = ["products"])]
public sealed class ProductsController(ProductCatalog catalog, ITaggedDistributedCache cache) : ControllerBase
{
    /// <summary>Every product. Cached for 60 s under the tag <c>products</c> (the controller's declaration).</summary>
    [HttpGet]
    public ProductListResponse GetAll() => new(catalog.GetAll(), Timestamp.UtcNow());

    /// <summary>
    /// One product. Cached for 60 s under <c>products</c> and <c>product:{id}</c> (<c>product:1</c> for /products/1).
    /// An unknown id is a 404 ProblemDetails, which is not stored (only 200s are, by default).
    /// </summary>
    [HttpGet("{id:int}")]
    [CacheFor(60, Tags = ["products", "product:{id}"])]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public ActionResult<ProductResponse> Get(int id)
    {
        if (!catalog.TryGet(id, out var product))
        {
            return NotFound();
        }

        return new ProductResponse(product.Id, product.Name, product.Price, Timestamp.UtcNow());
    }

    /// <summary>
    /// Updates a product, then evicts the cached responses that show it: <c>product:{id}</c> (this product) and
    /// <c>products</c> (the list). 404 for an unknown id, 400 for an invalid body (from [ApiController]).
    /// </summary>
    /// <remarks>
    /// Open to anyone here to keep the sample short; a real app authorizes its writes, as eviction is authorized.
    /// Evicting after the update, not before: a GET that comes in between would otherwise store the old product again.
    /// A GET that read the old product just before the update and stores it just after the eviction can still leave it
    /// cached until its 60 s run out, the usual limit of cache-aside invalidation. If Redis fails, the exception
    /// surfaces (a 500): the product is updated but the caller learns that stale responses may remain.
    /// </remarks>
    [HttpPut("{id:int}")]
    [ProducesResponseType(StatusCodes.Status200OK)]
    [ProducesResponseType(StatusCodes.Status400BadRequest)]
    [ProducesResponseType(StatusCodes.Status404NotFound)]
    public async Task<ActionResult<Product>> Put(int id, ProductUpdate update)
    {
        // [Required] has been checked by [ApiController] before the action runs.
        if (!catalog.TryUpdate(id, update.Name!, update.Price!.Value, out var updated))
        {
            return NotFound();
        }

        // No request-aborted token: once the catalog has changed, the eviction must run to the end even if the client
        // hangs up.
        await cache.EvictByTagsAsync([$"product:{id}", "products"]);
        return updated;
    }
}
