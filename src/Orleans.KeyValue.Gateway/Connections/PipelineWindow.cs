using Orleans.KeyValue.Gateway.Commands;
using Orleans.KeyValue.Resp;

namespace Orleans.KeyValue.Gateway.Connections;

/// <summary>
/// The commands of one connection's pipeline still in flight, in arrival order: each keeps its
/// own request (the parser goes on with a fresh one) and its reply is written only when every
/// earlier reply was. Used only once a command had to wait; until then commands run and answer
/// one by one with nothing allocated.
/// </summary>
internal sealed class PipelineWindow : IDisposable
{
    private readonly Queue<Entry> _entries = new();
    private readonly Stack<RespRequest> _spare = new();
    private readonly Stack<Entry> _spareEntries = new();

    /// <summary>Commands in flight (or done and waiting for an earlier reply).</summary>
    public int Count => _entries.Count;

    /// <summary>The parsed command held back until every earlier one answered (it was not allowed to overlap).</summary>
    public bool Held { get; set; }

    /// <summary>A framing error found while commands were in flight: answered after them, then the connection closes.</summary>
    public string? ProtocolError { get; set; }

    /// <summary>True when a command in flight works on <paramref name="slot"/>.</summary>
    public bool Holds(int slot)
    {
        foreach (var entry in _entries)
        {
            if (entry.Slot == slot)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Adds a started command; <paramref name="request"/> becomes the entry's and is replaced by
    /// a spare one for the parser.
    /// </summary>
    public void Add(ValueTask<KvReply> reply, ref RespRequest request, CommandDefinition? definition, long started, int slot)
    {
        var entry = _spareEntries.Count > 0 ? _spareEntries.Pop() : new Entry();
        entry.Reply = reply;
        entry.Request = request;
        entry.Definition = definition;
        entry.Started = started;
        entry.Slot = slot;
        _entries.Enqueue(entry);
        request = _spare.Count > 0 ? _spare.Pop() : new RespRequest();
    }

    /// <summary>The oldest entry whose reply is ready, removed, or null.</summary>
    public bool TryTakeReady(out Entry entry)
    {
        if (_entries.Count > 0 && _entries.Peek().Reply.IsCompleted)
        {
            entry = _entries.Dequeue();
            return true;
        }

        entry = null!;
        return false;
    }

    /// <summary>The oldest entry, removed (its reply may still be pending).</summary>
    public Entry Take() => _entries.Dequeue();

    /// <summary>Gives an entry's request and the entry back once its reply is written.</summary>
    public void Return(Entry entry)
    {
        _spare.Push(entry.Request);
        entry.Request = null!;
        entry.Reply = default;
        entry.Definition = null;
        _spareEntries.Push(entry);
    }

    public void Dispose()
    {
        foreach (var entry in _entries)
        {
            entry.Request.Dispose();
        }

        foreach (var request in _spare)
        {
            request.Dispose();
        }
    }

    /// <summary>One command in flight.</summary>
    internal sealed class Entry
    {
        public ValueTask<KvReply> Reply { get; set; }

        public RespRequest Request { get; set; } = null!;

        public CommandDefinition? Definition { get; set; }

        public long Started { get; set; }

        public int Slot { get; set; }
    }
}
