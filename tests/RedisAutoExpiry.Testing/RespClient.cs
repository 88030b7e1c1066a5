using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RedisAutoExpiry.Testing;

/// <summary>
/// A bare RESP2 client for tests that log in as a named ACL user (AUTH with a user name) to inspect the server apart
/// from the client under test. Replies: string, long, null, an array of them, or a <see cref="RespError"/>.
/// </summary>
public sealed class RespClient : IAsyncDisposable
{
    private readonly TcpClient _client = new() { NoDelay = true };
    private Stream _stream = Stream.Null;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    public static async Task<RespClient> ConnectAsync(int port, string? user = null, string? password = null)
    {
        var client = new RespClient();
        await client._client.ConnectAsync(IPAddress.Loopback, port);
        client._stream = client._client.GetStream();
        if (password is not null)
        {
            var reply = user is null ? await client.SendAsync("AUTH", password) : await client.SendAsync("AUTH", user, password);
            if (reply is RespError error)
            {
                throw new InvalidOperationException($"AUTH failed: {error.Message}");
            }
        }

        return client;
    }

    public async Task<object?> SendAsync(params string[] command)
    {
        var request = new StringBuilder().Append('*').Append(command.Length).Append("\r\n");
        foreach (var part in command)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(part)).Append("\r\n").Append(part).Append("\r\n");
        }

        await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()));
        return await ReadAsync();
    }

    private async Task<object?> ReadAsync()
    {
        var line = await ReadLineAsync();
        var body = line[1..];
        switch (line[0])
        {
            case '+': return body;
            case '-': return new RespError(body);
            case ':': return long.Parse(body, CultureInfo.InvariantCulture);
            case '$':
                var length = int.Parse(body, CultureInfo.InvariantCulture);
                if (length < 0)
                {
                    return null;
                }

                var bytes = await ReadExactlyAsync(length + 2);
                return Encoding.UTF8.GetString(bytes, 0, length);
            case '*':
                var count = int.Parse(body, CultureInfo.InvariantCulture);
                if (count < 0)
                {
                    return null;
                }

                var items = new object?[count];
                for (var i = 0; i < count; i++)
                {
                    items[i] = await ReadAsync();
                }

                return items;
            default:
                throw new InvalidDataException($"Unexpected RESP reply: {line}");
        }
    }

    private async Task<string> ReadLineAsync()
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            if (newline > _start && _buffer[newline - 1] == '\r')
            {
                var line = Encoding.UTF8.GetString(_buffer, _start, newline - 1 - _start);
                _start = newline + 1;
                return line;
            }

            await FillAsync();
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        var result = new byte[count];
        var copied = 0;
        while (copied < count)
        {
            if (_start == _end)
            {
                await FillAsync();
            }

            var take = Math.Min(count - copied, _end - _start);
            Array.Copy(_buffer, _start, result, copied, take);
            _start += take;
            copied += take;
        }

        return result;
    }

    private async Task FillAsync()
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end));
        if (read == 0)
        {
            throw new EndOfStreamException("Redis closed the connection.");
        }

        _end += read;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>An error reply.</summary>
public sealed record RespError(string Message);
