using Microsoft.AspNetCore.Mvc;

namespace RedisAutoExpiry.TestWebApp.Controllers;

/// <summary>A controller-wide declaration, replaced on some actions.</summary>
[ApiController]
[Route("products")]
[CacheFor(30, Tags = ["products"])]
public sealed class ProductsController(RenderCounter counter) : ControllerBase
{
    [HttpGet("list")]
    public IResult List() => counter.Render(HttpContext, "list");

    [HttpGet("{id}")]
    [HttpHead("{id}")]
    [CacheFor(30, Tags = ["product:{id}", "catalog"])]
    public IResult Get(string id) => counter.Render(HttpContext, $"product {id}");

    [HttpGet("live")]
    [CacheFor(0)]
    public IResult Live() => counter.Render(HttpContext, "live");
}
