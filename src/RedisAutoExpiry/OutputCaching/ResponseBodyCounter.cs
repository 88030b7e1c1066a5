using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace RedisAutoExpiry.OutputCaching;

/// <summary>
/// Sits under the output cache middleware's buffering stream on a miss and counts what reaches the client. The
/// middleware shares a response with requests waiting on the same key even when it stopped buffering it (too large,
/// or a write failed when the client went away), so those waiters would get an empty or cut body; knowing the count,
/// the policy withdraws such a response from storage and the waiters render their own.
/// </summary>
/// <remarks>
/// It is also the response body feature the middleware sees on a miss (one object per request, not two): its Stream
/// counts, and everything else is the server's own, so middleware that runs after the output cache (writing through
/// BodyWriter, CompleteAsync, SendFileAsync) behaves as without us.
/// </remarks>
internal sealed class ResponseBodyCounter(IHttpResponseBodyFeature prior) : Stream, IHttpResponseBodyFeature
{
    /// <summary>The feature this one stands in front of, put back before a hit is served.</summary>
    public IHttpResponseBodyFeature Prior { get; } = prior;

    private Stream Inner { get; } = prior.Stream;

    Stream IHttpResponseBodyFeature.Stream => this;

    PipeWriter IHttpResponseBodyFeature.Writer => Prior.Writer;

    void IHttpResponseBodyFeature.DisableBuffering() => Prior.DisableBuffering();

    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => Prior.StartAsync(cancellationToken);

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken) =>
        Prior.SendFileAsync(path, offset, count, cancellationToken);

    Task IHttpResponseBodyFeature.CompleteAsync() => Prior.CompleteAsync();

    public long Written { get; private set; }

    public bool Failed { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
        try
        {
            Inner.Flush();
        }
        catch
        {
            Failed = true;
            throw;
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Failed = true;
            throw;
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            Inner.Write(buffer);
            Written += buffer.Length;
        }
        catch
        {
            Failed = true;
            throw;
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await Inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            Written += buffer.Length;
        }
        catch
        {
            Failed = true;
            throw;
        }
    }
}
