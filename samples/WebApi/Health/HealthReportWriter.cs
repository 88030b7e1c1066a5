using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace WebApi.Health;

/// <summary>
/// Writes /health as JSON: the overall status, and each check's status, description and data (the cache's ping time,
/// breaker states and notification state), so an operator sees why it is degraded. The checks' output names no secrets.
/// </summary>
public static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.Select(entry => new
            {
                name = entry.Key,
                status = entry.Value.Status.ToString(),
                description = entry.Value.Description,
                data = entry.Value.Data,
            }),
        }, cancellationToken: context.RequestAborted);
    }
}
