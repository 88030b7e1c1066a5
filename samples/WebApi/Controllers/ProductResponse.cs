namespace WebApi.Controllers;

/// <summary>
/// One product as GET /products/{id} renders it. <paramref name="GeneratedAt"/> is when the action ran: on a cache hit
/// it stays the same, which is how the sample shows that Redis, not the action, answered.
/// </summary>
public sealed record ProductResponse(int Id, string Name, decimal Price, string GeneratedAt);
