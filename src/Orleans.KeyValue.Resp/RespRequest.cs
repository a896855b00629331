using System.Buffers;

namespace Orleans.KeyValue.Resp;

/// <summary>
/// One parsed command: its arguments copied into one reusable buffer owned by the connection.
/// Reused for every command of a connection, so parsing allocates nothing once warm.
/// </summary>
public sealed class RespRequest : IDisposable
{
    private byte[] _data;
    private int[] _starts;
    private int[] _lengths;
    private int _used;

    public RespRequest(int initialBytes = 256, int initialArguments = 8)
    {
        _data = ArrayPool<byte>.Shared.Rent(initialBytes);
        _starts = new int[initialArguments];
        _lengths = new int[initialArguments];
    }

    /// <summary>The number of arguments, the command name included.</summary>
    public int Count { get; private set; }

    /// <summary>True when the command came as an inline (telnet-style) line.</summary>
    public bool IsInline { get; internal set; }

    /// <summary>The bytes of argument <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            return new ReadOnlySpan<byte>(_data, _starts[index], _lengths[index]);
        }
    }

    /// <summary>A copy of argument <paramref name="index"/> that the caller owns.</summary>
    public byte[] ToArray(int index) => this[index].ToArray();

    /// <summary>Forgets the arguments; keeps the buffers.</summary>
    public void Reset()
    {
        Count = 0;
        _used = 0;
        IsInline = false;
    }

    /// <summary>Appends a whole argument (used by tests and inline parsing).</summary>
    public void Add(ReadOnlySpan<byte> argument)
    {
        var destination = BeginArgument(argument.Length);
        argument.CopyTo(destination);
    }

    /// <summary>Starts an argument of <paramref name="length"/> bytes and returns where its bytes go.</summary>
    internal Span<byte> BeginArgument(int length)
    {
        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, _starts.Length * 2);
            Array.Resize(ref _lengths, _lengths.Length * 2);
        }

        EnsureSpace(length);
        _starts[Count] = _used;
        _lengths[Count] = length;
        Count++;
        var span = new Span<byte>(_data, _used, length);
        _used += length;
        return span;
    }

    /// <summary>The writable bytes of an argument begun with <see cref="BeginArgument"/>.</summary>
    internal Span<byte> ArgumentSpan(int index) => new(_data, _starts[index], _lengths[index]);

    /// <summary>Makes room for <paramref name="argumentCount"/> more arguments up front (capped by the caller).</summary>
    internal void ReserveArguments(int argumentCount)
    {
        if (argumentCount > _starts.Length)
        {
            var size = Math.Max(argumentCount, _starts.Length * 2);
            Array.Resize(ref _starts, size);
            Array.Resize(ref _lengths, size);
        }
    }

    private void EnsureSpace(int length)
    {
        if (_data.Length - _used >= length)
        {
            return;
        }

        var needed = (long)_used + length;
        var size = Math.Max(needed, (long)_data.Length * 2);
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(size, Array.MaxLength));
        _data.AsSpan(0, _used).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_data);
        _data = bigger;
    }

    public void Dispose()
    {
        var data = _data;
        _data = [];
        if (data.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }
}
