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

    // Redis functions: the libraries loaded (FUNCTION LOAD), replaced whole on every change with a
    // new version; a rented state loads them again when its version is older.
    private readonly Lock _librariesLock = new();
    private LibrarySet _libraries = new(0, []);
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

    /// <summary>The libraries loaded, in the order they were first loaded.</summary>
    public IReadOnlyList<FunctionLibrary> Libraries => Volatile.Read(ref _libraries).Libraries;

    /// <summary>
    /// FUNCTION LOAD [REPLACE]: checks the library's metadata line, runs its code to register its
    /// functions, and keeps it; the library's name, or Redis's error.
    /// </summary>
    public KvReply LoadLibrary(byte[] code, bool replace)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (!TryReadLibraryName(code, out var name, out var error))
        {
            return KvReply.FromError(error);
        }

        if (!replace && Libraries.Any(l => l.Name == name))
        {
            return KvReply.FromError($"ERR Library '{name}' already exists");
        }

        if (!TryRegister(name, code, out var library, out error))
        {
            return KvReply.FromError(error);
        }

        lock (_librariesLock)
        {
            var current = _libraries.Libraries;
            if (!replace && current.Any(l => l.Name == name))
            {
                return KvReply.FromError($"ERR Library '{name}' already exists");
            }

            var others = current.Where(l => l.Name != name).ToList();
            if (Collision(others, library) is { } taken)
            {
                return KvReply.FromError($"ERR Function {taken} already exists");
            }

            var at = current.ToList().FindIndex(l => l.Name == name);
            var next = current.ToList();
            if (at >= 0)
            {
                next[at] = library;
            }
            else
            {
                next.Add(library);
            }

            Volatile.Write(ref _libraries, new LibrarySet(_libraries.Version + 1, next));
        }

        return KvReply.FromBulk(name);
    }

    /// <summary>FUNCTION DELETE: true when the library was there.</summary>
    public bool DeleteLibrary(string name)
    {
        lock (_librariesLock)
        {
            var current = _libraries.Libraries;
            if (!current.Any(l => l.Name == name))
            {
                return false;
            }

            Volatile.Write(ref _libraries, new LibrarySet(_libraries.Version + 1, [.. current.Where(l => l.Name != name)]));
            return true;
        }
    }

    /// <summary>FUNCTION FLUSH: every library goes.</summary>
    public void FlushLibraries()
    {
        lock (_librariesLock)
        {
            Volatile.Write(ref _libraries, new LibrarySet(_libraries.Version + 1, []));
        }
    }

    /// <summary>
    /// FUNCTION RESTORE: the libraries of a FUNCTION DUMP payload, with Redis's policies: APPEND
    /// (a library already here is an error), REPLACE (it is replaced), FLUSH (all go first).
    /// All or nothing.
    /// </summary>
    public KvReply RestoreLibraries(IReadOnlyList<byte[]> codes, string policy)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var restored = new List<FunctionLibrary>();
        foreach (var code in codes)
        {
            if (!TryReadLibraryName(code, out var name, out var error) || !TryRegister(name, code, out var library, out error))
            {
                return KvReply.FromError(error);
            }

            restored.Add(library);
        }

        lock (_librariesLock)
        {
            var next = policy == "FLUSH" ? [] : _libraries.Libraries.ToList();
            foreach (var library in restored)
            {
                var at = next.FindIndex(l => l.Name == library.Name);
                if (at >= 0 && policy != "REPLACE")
                {
                    return KvReply.FromError($"ERR Library {library.Name} already exists");
                }

                if (Collision(next.Where(l => l.Name != library.Name), library) is { } taken)
                {
                    return KvReply.FromError($"ERR Function {taken} already exists");
                }

                if (at >= 0)
                {
                    next[at] = library;
                }
                else
                {
                    next.Add(library);
                }
            }

            Volatile.Write(ref _libraries, new LibrarySet(_libraries.Version + 1, next));
        }

        return KvReply.Ok;
    }

    /// <summary>The registered function named <paramref name="name"/> (any case, as Redis finds it), or null.</summary>
    public FunctionInfo? FindFunction(string name) => Volatile.Read(ref _libraries).Functions.GetValueOrDefault(name);

    /// <summary>FCALL: runs the function with its keys and args, as <see cref="Run"/> runs a script.</summary>
    public KvReply CallFunction(string name, byte[][] keys, byte[][] args, Func<byte[][], KvReply> call)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(call);
        var set = Volatile.Read(ref _libraries);
        LuaScriptState state = Rent();
        try
        {
            state.UseLibraries(set.Version, set.Libraries.Select(l => LibraryChunk(l.Code)), _options.TimeLimit);
            return state.ExecuteFunction(name, keys, args, call, _options.TimeLimit, _options.MaxReplyDepth);
        }
        finally
        {
            Return(state);
        }
    }

    /// <summary>
    /// Redis 7.0's library metadata: a first line <c>#!&lt;engine&gt; name=&lt;library&gt;</c>, engine
    /// Lua (any case), the name letters, digits and underscores.
    /// </summary>
    private static bool TryReadLibraryName(byte[] code, out string name, out string error)
    {
        name = string.Empty;
        error = string.Empty;
        if (!code.AsSpan().StartsWith("#!"u8))
        {
            error = "ERR Missing library metadata";
            return false;
        }

        var end = Array.IndexOf(code, (byte)'\n');
        var parts = end < 0 ? [] : Encoding.UTF8.GetString(code, 0, end).Split([' ', '\t', '\r', '\v', '\f'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            error = "ERR Invalid library metadata";
            return false;
        }

        string? given = null;
        foreach (var part in parts.AsSpan(1))
        {
            if (!part.StartsWith("name=", StringComparison.Ordinal))
            {
                error = "ERR Invalid metadata value given: " + part;
                return false;
            }

            if (given is not null)
            {
                error = "ERR Invalid metadata value, name argument was given multiple times";
                return false;
            }

            given = part["name=".Length..];
        }

        if (given is null)
        {
            error = "ERR Library name was not given";
            return false;
        }

        var engine = parts[0][2..];
        if (!string.Equals(engine, "lua", StringComparison.OrdinalIgnoreCase))
        {
            error = $"ERR Engine '{engine}' not found";
            return false;
        }

        if (given.Length == 0 || !given.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            error = "ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";
            return false;
        }

        name = given;
        return true;
    }

    /// <summary>Runs a library's code in a state to learn what it registers; false with Redis's error when it fails or registers nothing.</summary>
    private bool TryRegister(string name, byte[] code, [MaybeNullWhen(false)] out FunctionLibrary library, out string error)
    {
        library = null;
        var loaded = new List<LoadedFunction>();
        LuaScriptState state = Rent();
        string? failure;
        try
        {
            failure = state.LoadLibrary(LibraryChunk(code), _options.TimeLimit, loaded);
            state.Release(loaded);
        }
        finally
        {
            Return(state);
        }

        if (failure is null && loaded.Count == 0)
        {
            failure = "ERR No functions registered";
        }

        error = failure ?? string.Empty;
        if (failure is not null)
        {
            return false;
        }

        library = new FunctionLibrary(name, code, [.. loaded.Select(f => new FunctionInfo(f.Name, f.Description, f.Flags))]);
        return true;
    }

    /// <summary>A function of <paramref name="library"/> whose name another library already has (any case), or null.</summary>
    private static string? Collision(IEnumerable<FunctionLibrary> others, FunctionLibrary library)
    {
        var taken = new HashSet<string>(others.SelectMany(l => l.Functions).Select(f => f.Name), StringComparer.OrdinalIgnoreCase);
        return library.Functions.FirstOrDefault(f => taken.Contains(f.Name))?.Name;
    }

    /// <summary>The code Lua compiles: the metadata line blanked, its newline kept (line numbers stay the library's).</summary>
    private static byte[] LibraryChunk(byte[] code)
    {
        var end = Array.IndexOf(code, (byte)'\n');
        return end < 0 ? [] : code.AsSpan(end).ToArray();
    }

    private sealed record LibrarySet(int Version, List<FunctionLibrary> Libraries)
    {
        /// <summary>Every function by name, any case (FCALL looks one up per call).</summary>
        public Dictionary<string, FunctionInfo> Functions { get; } = Libraries
            .SelectMany(l => l.Functions)
            .GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
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
