using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// The response body as the output cache middleware sees it on a miss: its Stream counts (the middleware wraps it
/// with its buffering stream); everything else is the server's own, so middleware that runs after the output cache
/// (writing through BodyWriter, CompleteAsync, SendFileAsync) behaves as without us.
/// </summary>
internal sealed class CountingResponseBodyFeature(IHttpResponseBodyFeature prior, ResponseBodyCounter counter) : IHttpResponseBodyFeature
{
    public Stream Stream => counter;

    public PipeWriter Writer => prior.Writer;

    public void DisableBuffering() => prior.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => prior.StartAsync(cancellationToken);

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        prior.SendFileAsync(path, offset, count, cancellationToken);

    public Task CompleteAsync() => prior.CompleteAsync();
}
