namespace RedisAutoExpiry.TestWebApp;

/// <summary>
/// Numbers every response an action actually renders, in the body and in <c>X-Render</c>: a response served from the
/// cache repeats an earlier number.
/// </summary>
public sealed class RenderCounter
{
    private long _renders;

    /// <summary>How many responses the app's actions have rendered.</summary>
    public long Renders => Interlocked.Read(ref _renders);

    public IResult Render(HttpContext context, string what)
    {
        var render = Interlocked.Increment(ref _renders);
        context.Response.Headers["X-Render"] = render.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Text($"{what}, render {render}");
    }
}
