using System.Buffers;

namespace Orleans.KeyValue.Resp.Tests;

/// <summary>One segment of a multi-segment <see cref="ReadOnlySequence{T}"/> built by a test.</summary>
internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    private TestSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>A sequence of one segment per part, in order (empty parts make empty segments).</summary>
    public static ReadOnlySequence<byte> Create(params ReadOnlyMemory<byte>[] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new TestSegment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Length; i++)
        {
            var next = new TestSegment(parts[i], last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary><paramref name="data"/> cut at the ascending offsets <paramref name="cuts"/>, each part copied to its own array.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var parts = new ReadOnlyMemory<byte>[cuts.Length + 1];
        var start = 0;
        for (var i = 0; i <= cuts.Length; i++)
        {
            var end = i < cuts.Length ? cuts[i] : data.Length;
            parts[i] = data.AsSpan(start, end - start).ToArray();
            start = end;
        }

        return Create(parts);
    }

    /// <summary>Every way to cut <paramref name="length"/> bytes in two (empty halves included).</summary>
    public static IEnumerable<int[]> TwoWayCuts(int length)
    {
        for (var i = 0; i <= length; i++)
        {
            yield return [i];
        }
    }

    /// <summary>Every way to cut <paramref name="length"/> bytes in three (empty parts included).</summary>
    public static IEnumerable<int[]> ThreeWayCuts(int length)
    {
        for (var i = 0; i <= length; i++)
        {
            for (var j = i; j <= length; j++)
            {
                yield return [i, j];
            }
        }
    }
}
