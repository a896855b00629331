using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using KeraLua;

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// One Lua state with Redis's sandbox and its cache of compiled scripts (Redis's <c>f_&lt;sha&gt;</c>
/// functions). Lua states are not thread-safe: one run at a time, on the thread that calls <see cref="Execute"/>.
/// </summary>
internal sealed partial class LuaScriptState : IDisposable
{
    /// <summary>Chunk name of scripts: Lua reports positions as <c>user_script:LINE</c>, as in Redis.</summary>
    private const string ScriptChunkName = "@user_script";

    /// <summary>Lua instructions between two time checks; after the deadline the hook fires at every one.</summary>
    private const int HookInstructionCount = 1000;

    private readonly Lua _lua;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, int> _functions = new(StringComparer.Ordinal);
    private readonly int _runRef;
    private readonly int _disarmRef;
    private readonly int _onErrorRef;
    private readonly int _pendingRef;
    private readonly int _loadLibraryRef;
    private readonly int _callFunctionRef;

    // Redis functions loaded in this state: callbacks by function name (any case), for one library version.
    private readonly Dictionary<string, int> _libraryFunctions = new(StringComparer.OrdinalIgnoreCase);

    // State of the run in progress, read by the callbacks.
    private Func<byte[][], KvReply>? _call;
    private Dictionary<IntPtr, Lua>? _coroutines;
    private long _startedAt;
    private TimeSpan _timeLimit;
    private bool _armed;
    private bool _timedOut;
    private ExceptionDispatchInfo? _exception;

    public LuaScriptState(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        _lua = new Lua(openLibs: true) { Encoding = Encoding.UTF8 };
        try
        {
            if (_lua.LoadString(LuaPrelude.Source, LuaPrelude.ChunkName) != LuaStatus.OK)
            {
                ThrowPreludeFailed(_lua.ToString(-1, false));
            }

            _lua.PushCFunction(DeadlineFunction);
            _lua.PushCFunction(CallFunction);
            _lua.PushCFunction(PcallFunction);
            _lua.PushCFunction(Sha1HexFunction);
            _lua.PushCFunction(LogFunction);
            _lua.PushCFunction(SetReplFunction);
            _lua.PushInteger(HookInstructionCount);
            if (_lua.PCall(7, 6, 0) != LuaStatus.OK)
            {
                ThrowPreludeFailed(_lua.ToString(-1, false));
            }

            // Results, top down: callfn, loadlib, the pending-error box, onerror, disarm, run.
            _callFunctionRef = _lua.Ref(LuaRegistry.Index);
            _loadLibraryRef = _lua.Ref(LuaRegistry.Index);
            _pendingRef = _lua.Ref(LuaRegistry.Index);
            _onErrorRef = _lua.Ref(LuaRegistry.Index);
            _disarmRef = _lua.Ref(LuaRegistry.Index);
            _runRef = _lua.Ref(LuaRegistry.Index);
        }
        catch
        {
            _lua.Dispose();
            throw;
        }
    }

    /// <summary>The engine's flush generation this state's cache belongs to.</summary>
    public int Generation { get; set; }

    /// <summary>The library version (<see cref="LuaScriptEngine"/>'s) whose functions this state holds; -1 for none.</summary>
    public int LibraryVersion { get; private set; } = -1;

    /// <summary>True when the state can no longer be trusted and must be closed rather than reused.</summary>
    public bool Broken { get; private set; }

    /// <summary>Forgets every compiled script (SCRIPT FLUSH).</summary>
    public void ClearCache()
    {
        foreach (int reference in _functions.Values)
        {
            _lua.Unref(LuaRegistry.Index, reference);
        }

        _functions.Clear();
    }

    /// <summary>
    /// Compiles <paramref name="body"/> unless this state already has <paramref name="sha"/>.
    /// Returns null on success, else Redis's error text.
    /// </summary>
    public string? Compile(string sha, byte[] body)
    {
        if (_functions.ContainsKey(sha))
        {
            return null;
        }

        if (!ScriptShebang.TryParse(body, out int skip, out string? shebangError))
        {
            return shebangError;
        }

        // Without the shebang line but with its newline, so that Lua's line numbers are the script's.
        byte[] code = skip == 0 ? body : body.AsSpan(skip).ToArray();
        if (_lua.LoadBuffer(code, ScriptChunkName, "t") != LuaStatus.OK)
        {
            return ScriptErrors.CompilePrefix + FixCompileMessage(LuaValueConverter.PopText(_lua));
        }

        _functions[sha] = _lua.Ref(LuaRegistry.Index);
        return null;
    }

    /// <summary>
    /// Runs a library's code (its shebang line blanked) with the library API, under the time
    /// limit: the functions it registered, or Redis's error (compile or registration).
    /// </summary>
    public string? LoadLibrary(byte[] code, TimeSpan timeLimit, List<LoadedFunction> functions)
    {
        LuaScriptState? outer = _current;
        _current = this;
        _timeLimit = timeLimit;
        _timedOut = false;
        try
        {
            _lua.SetTop(0);
            _lua.RawGetInteger(LuaRegistry.Index, _loadLibraryRef);
            _lua.PushBuffer(code);
            _startedAt = _timeProvider.GetTimestamp();
            _armed = true;
            var status = _lua.PCall(1, 3, 0);
            _armed = false;
            if (status != LuaStatus.OK)
            {
                return "ERR Error registering functions: " + LuaValueConverter.PopText(_lua);
            }

            if (_lua.Type(1) != LuaType.Table)
            {
                if (_lua.Type(2) == LuaType.String)
                {
                    return ScriptErrors.CompileFunctionPrefix + FixCompileMessage(_lua.ToString(2, false));
                }

                return _timedOut
                    ? ScriptErrors.TimeLimitExceeded(timeLimit)
                    : "ERR Error registering functions: " + _lua.ToString(3, false);
            }

            for (var i = 1; _lua.RawGetInteger(1, i) == LuaType.Table; i++)
            {
                var entry = _lua.GetTop();
                var name = RawGetString(entry, "name") ?? string.Empty;
                var description = RawGetString(entry, "description");
                var flags = new List<string>();
                _lua.PushString("flags");
                _lua.RawGet(entry);
                for (var f = 1; _lua.RawGetInteger(-1, f) == LuaType.String; f++)
                {
                    flags.Add(LuaValueConverter.PopText(_lua));
                }

                _lua.Pop(2);
                _lua.PushString("callback");
                _lua.RawGet(entry);
                functions.Add(new LoadedFunction(name, description, [.. flags], _lua.Ref(LuaRegistry.Index)));
                _lua.Pop(1);
            }

            return null;
        }
        finally
        {
            _armed = false;
            Disarm();
            _current = outer;
        }
    }

    /// <summary>Loads every library of <paramref name="version"/> unless this state holds them already.</summary>
    public void UseLibraries(int version, IEnumerable<byte[]> codes, TimeSpan timeLimit)
    {
        if (LibraryVersion == version)
        {
            return;
        }

        foreach (int reference in _libraryFunctions.Values)
        {
            _lua.Unref(LuaRegistry.Index, reference);
        }

        _libraryFunctions.Clear();
        var loaded = new List<LoadedFunction>();
        foreach (var code in codes)
        {
            loaded.Clear();

            // Checked when it was loaded first: it loads again alike.
            if (LoadLibrary(code, timeLimit, loaded) is null)
            {
                foreach (var function in loaded)
                {
                    _libraryFunctions[function.Name] = function.Callback;
                }
            }
        }

        LibraryVersion = version;
    }

    /// <summary>Drops callbacks a validating load made (see <see cref="LoadLibrary"/>).</summary>
    public void Release(IEnumerable<LoadedFunction> functions)
    {
        foreach (var function in functions)
        {
            _lua.Unref(LuaRegistry.Index, function.Callback);
        }
    }

    /// <summary>Runs the Redis function <paramref name="name"/> (loaded by <see cref="UseLibraries"/>) with its keys and args.</summary>
    public KvReply ExecuteFunction(string name, byte[][] keys, byte[][] args, Func<byte[][], KvReply> call, TimeSpan timeLimit, int maxReplyDepth)
    {
        if (!_libraryFunctions.TryGetValue(name, out var callback))
        {
            return KvReply.FromError(ScriptErrors.FunctionNotFound);
        }

        return Run(_callFunctionRef, callback, name, keys, args, call, timeLimit, maxReplyDepth);
    }

    /// <summary>Runs the script compiled as <paramref name="sha"/> (see <see cref="Compile"/>).</summary>
    public KvReply Execute(string sha, byte[][] keys, byte[][] args, Func<byte[][], KvReply> call, TimeSpan timeLimit, int maxReplyDepth) =>
        Run(_runRef, _functions[sha], sha, keys, args, call, timeLimit, maxReplyDepth);

    /// <summary>Calls <paramref name="runner"/>(f, keys, args) under the message handler and the time limit; <paramref name="name"/> names the script in errors.</summary>
    private KvReply Run(int runner, int function, string name, byte[][] keys, byte[][] args, Func<byte[][], KvReply> call, TimeSpan timeLimit, int maxReplyDepth)
    {
        LuaScriptState? outer = _current;
        _current = this;
        _call = call;
        _timeLimit = timeLimit;
        _timedOut = false;
        _exception = null;
        KvReply reply;
        try
        {
            _lua.SetTop(0);
            _lua.RawGetInteger(LuaRegistry.Index, _onErrorRef);
            _lua.RawGetInteger(LuaRegistry.Index, runner);
            _lua.RawGetInteger(LuaRegistry.Index, function);
            LuaValueConverter.PushStrings(_lua, keys);
            LuaValueConverter.PushStrings(_lua, args);
            _startedAt = _timeProvider.GetTimestamp();
            _armed = true;
            LuaStatus status = _lua.PCall(3, 1, 1);
            _armed = false;
            reply = _timedOut
                ? KvReply.FromError(ScriptErrors.TimeLimitExceeded(timeLimit))
                : status == LuaStatus.OK
                    ? LuaValueConverter.ToReply(_lua, -1, maxReplyDepth)
                    : ErrorReply(name);
        }
        finally
        {
            _armed = false;
            Disarm();
            _call = null;
            _coroutines?.Clear();
            _current = outer;
        }

        _exception?.Throw();
        return reply;
    }

    public void Dispose() => _lua.Dispose();

    /// <summary>Removes the hook, KEYS and ARGV; a state where that fails is not reused.</summary>
    private void Disarm()
    {
        _lua.SetTop(0);
        _lua.RawGetInteger(LuaRegistry.Index, _disarmRef);
        if (_lua.PCall(0, 0, 0) != LuaStatus.OK)
        {
            Broken = true;
        }

        _lua.SetTop(0);
    }

    /// <summary>
    /// Redis's reply for an error that ended the script: the error table made by the message handler,
    /// as <c>ERR user_script:1: boom script: &lt;sha&gt;, on @user_script:1.</c>
    /// </summary>
    private KvReply ErrorReply(string sha)
    {
        if (_lua.Type(-1) != LuaType.Table)
        {
            // Out of memory, or an error in the message handler: Lua's message is a string.
            string? text = _lua.Type(-1) == LuaType.String ? LuaValueConverter.PopText(_lua) : null;
            return KvReply.FromError(text is null ? ScriptErrors.UnknownError : LuaValueConverter.SanitizeLine("ERR " + text));
        }

        int table = _lua.GetTop();
        string message = RawGetString(table, "err") ?? ScriptErrors.UnknownError;
        string? source = RawGetString(table, "source");
        _lua.PushString("line");
        string? line = _lua.RawGet(table) == LuaType.Number
            ? _lua.ToInteger(-1).ToString(CultureInfo.InvariantCulture)
            : null;
        _lua.Pop(1);
        if (source is not null && line is not null)
        {
            message = $"{message} script: {sha}, on {source}:{line}.";
        }

        return KvReply.FromError(LuaValueConverter.SanitizeLine(message));
    }

    private string? RawGetString(int table, string name)
    {
        _lua.PushString(name);
        if (_lua.RawGet(table) == LuaType.String)
        {
            return LuaValueConverter.PopText(_lua);
        }

        _lua.Pop(1);
        return null;
    }

    /// <summary>Lua 5.4 writes <c>near &lt;eof&gt;</c> where Redis's Lua 5.1 writes <c>near '&lt;eof&gt;'</c>.</summary>
    private static string FixCompileMessage(string message) =>
        message.EndsWith(" near <eof>", StringComparison.Ordinal) ? message[..^"<eof>".Length] + "'<eof>'" : message;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowPreludeFailed(string message) =>
        throw new InvalidOperationException("The Lua script prelude failed: " + message);
}
