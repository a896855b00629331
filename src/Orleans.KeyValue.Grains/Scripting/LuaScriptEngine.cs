using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// Runs Lua scripts with Redis 7.0's semantics (EVAL, EVALSHA, SCRIPT LOAD/EXISTS/FLUSH). Thread-safe:
/// each run rents a Lua state from a pool, so scripts of different grains run in parallel.
/// </summary>
public sealed class LuaScriptEngine : IDisposable
{
    private const int Sha1HexLength = 40;

    private readonly ScriptOptions _options;
    private readonly TimeProvider _timeProvider;

    // Scripts known by sha (SCRIPT LOAD, EVAL); Redis matches shas case-insensitively.
    private readonly ConcurrentDictionary<string, byte[]> _bodies = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _idleLock = new();
    private readonly Stack<LuaScriptState> _idle = new();

    // Bumped by Flush; a rented state with an older generation drops its compiled scripts.
    private int _generation;
    private bool _disposed;

    public LuaScriptEngine(IOptions<ScriptOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        _timeProvider = timeProvider;
    }

    /// <summary>The SHA-1 of a script body as Redis names scripts: 40 lowercase hex digits.</summary>
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms",
        Justification = "The Redis protocol names scripts by SHA-1 (EVALSHA, redis.sha1hex); nothing is secured by it.")]
    public static string Sha1Hex(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(body, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>SCRIPT LOAD: compiles the script and remembers it; its sha, or Redis's compile error.</summary>
    public KvReply Load(byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        string sha = Sha1Hex(body);
        if (_bodies.ContainsKey(sha))
        {
            return KvReply.FromBulk(sha);
        }

        LuaScriptState state = Rent();
        string? error;
        try
        {
            error = state.Compile(sha, body);
        }
        finally
        {
            Return(state);
        }

        if (error is not null)
        {
            return KvReply.FromError(error);
        }

        _bodies.TryAdd(sha, body);
        return KvReply.FromBulk(sha);
    }

    /// <summary>SCRIPT EXISTS for one sha (case-insensitive, as Redis).</summary>
    public bool Exists(ReadOnlySpan<byte> sha) => sha.Length == Sha1HexLength && _bodies.ContainsKey(Encoding.Latin1.GetString(sha));

    /// <summary>SCRIPT FLUSH: forgets every script, in the table and in every Lua state's cache.</summary>
    public void Flush()
    {
        _bodies.Clear();
        Interlocked.Increment(ref _generation);
    }

    /// <summary>The body of a known script, for EVALSHA.</summary>
    public bool TryGetBody(ReadOnlySpan<byte> sha, [MaybeNullWhen(false)] out byte[] body)
    {
        if (sha.Length != Sha1HexLength)
        {
            body = null;
            return false;
        }

        return _bodies.TryGetValue(Encoding.Latin1.GetString(sha), out body);
    }

    /// <summary>
    /// Runs a script with KEYS and ARGV and returns its reply. <paramref name="call"/> runs one redis.call or
    /// redis.pcall command (element 0 is the command name) synchronously on this thread. A script that runs past
    /// <see cref="ScriptOptions.TimeLimit"/> is stopped. An exception thrown by <paramref name="call"/> stops the
    /// script and is rethrown here.
    /// </summary>
    public KvReply Run(byte[] body, byte[][] keys, byte[][] args, Func<byte[][], KvReply> call)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(call);
        string sha = Sha1Hex(body);
        LuaScriptState state = Rent();
        try
        {
            string? error = state.Compile(sha, body);
            if (error is not null)
            {
                return KvReply.FromError(error);
            }

            _bodies.TryAdd(sha, body);
            return state.Execute(sha, keys, args, call, _options.TimeLimit, _options.MaxReplyDepth);
        }
        finally
        {
            Return(state);
        }
    }

    public void Dispose()
    {
        lock (_idleLock)
        {
            _disposed = true;
            while (_idle.TryPop(out LuaScriptState? state))
            {
                state.Dispose();
            }
        }
    }

    private LuaScriptState Rent()
    {
        LuaScriptState? state;
        lock (_idleLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _idle.TryPop(out state);
        }

        state ??= new LuaScriptState(_timeProvider);
        int generation = Volatile.Read(ref _generation);
        if (state.Generation != generation)
        {
            state.ClearCache();
            state.Generation = generation;
        }

        return state;
    }

    private void Return(LuaScriptState state)
    {
        if (!state.Broken)
        {
            lock (_idleLock)
            {
                if (!_disposed && _idle.Count < _options.MaxIdleStates)
                {
                    _idle.Push(state);
                    return;
                }
            }
        }

        state.Dispose();
    }
}
