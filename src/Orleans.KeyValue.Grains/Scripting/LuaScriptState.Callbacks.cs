using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text;
using KeraLua;

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// The C# functions Lua calls. They never raise a Lua error (a longjmp must not cross managed frames) and
/// never let an exception reach Lua's native frames. Those that must raise use <see cref="Raise"/>.
/// </summary>
internal sealed partial class LuaScriptState
{
    // Static fields keep the delegates alive for as long as native code may call them.
    private static readonly LuaFunction DeadlineFunction = Deadline;
    private static readonly LuaFunction CallFunction = Call;
    private static readonly LuaFunction PcallFunction = Pcall;
    private static readonly LuaFunction Sha1HexFunction = Sha1Hex;
    private static readonly LuaFunction LogFunction = Log;
    private static readonly LuaFunction SetReplFunction = SetRepl;

    /// <summary>The state running a script on this thread: callbacks run synchronously inside <see cref="Execute"/>.</summary>
    [ThreadStatic]
    private static LuaScriptState? _current;

    /// <summary>
    /// <c>deadline(true)</c>: returns its argument when the script must stop, else nothing (nil). Leaving
    /// the argument as the result means no stack access, so any coroutine may call it.
    /// </summary>
    private static int Deadline(IntPtr luaState) => _current is { } state && state.ShouldStop() ? 1 : 0;

    /// <summary>redis.call: the command's reply, or raises its error table {err = text}.</summary>
    private static int Call(IntPtr luaState) => _current?.Guarded(luaState, static (state, lua, l) => state.OnCall(lua, l, raise: true)) ?? 0;

    /// <summary>redis.pcall: the command's reply, errors as the table {err = text}.</summary>
    private static int Pcall(IntPtr luaState) => _current?.Guarded(luaState, static (state, lua, l) => state.OnCall(lua, l, raise: false)) ?? 0;

    /// <summary>redis.sha1hex(s): the SHA-1 of a string or number, else of the empty string, as Redis does.</summary>
    private static int Sha1Hex(IntPtr luaState) => _current?.Guarded(luaState, static (state, lua, l) => state.OnSha1Hex(lua, l)) ?? 0;

    /// <summary>redis.log(level, message, ...): checks its arguments as Redis does; logs nothing.</summary>
    private static int Log(IntPtr luaState) => _current?.Guarded(luaState, static (state, lua, l) => state.OnLog(lua, l)) ?? 0;

    /// <summary>redis.set_repl(flags): checks its argument as Redis does; replication is not the engine's.</summary>
    private static int SetRepl(IntPtr luaState) => _current?.Guarded(luaState, static (state, lua, l) => state.OnSetRepl(lua, l)) ?? 0;

    private bool ShouldStop()
    {
        if (!_armed)
        {
            return false;
        }

        if (_timedOut || _exception is not null)
        {
            return true;
        }

        if (_timeLimit > TimeSpan.Zero && _timeProvider.GetElapsedTime(_startedAt) > _timeLimit)
        {
            _timedOut = true;
            return true;
        }

        return false;
    }

    /// <summary>
    /// The boundary between Lua's native frames and C#: an exception is kept, Lua gets no result, the hook
    /// stops the script and <see cref="Execute"/> rethrows once Lua has returned.
    /// </summary>
    private int Guarded(IntPtr luaState, Func<LuaScriptState, Lua, IntPtr, int> body)
    {
        try
        {
            return body(this, ThreadOf(luaState), luaState);
        }
        catch (Exception exception)
        {
            _exception ??= ExceptionDispatchInfo.Capture(exception);
            return 0;
        }
    }

    private int OnCall(Lua lua, IntPtr luaState, bool raise)
    {
        int count = lua.GetTop();
        if (ShouldStop() || _call is null)
        {
            return CallFailed(lua, luaState, ScriptErrors.Stopped, raise);
        }

        if (count == 0)
        {
            return CallFailed(lua, luaState, ScriptErrors.NoArguments, raise);
        }

        var argv = new byte[count][];
        for (int i = 1; i <= count; i++)
        {
            byte[]? arg = ArgumentBytes(lua, i);
            if (arg is null)
            {
                return CallFailed(lua, luaState, ScriptErrors.BadArgument, raise);
            }

            argv[i - 1] = arg;
        }

        KvReply reply = _call(argv);
        LuaValueConverter.Push(lua, reply);
        return raise && reply.IsError ? Raise(lua, luaState) : 1;
    }

    private int OnSha1Hex(Lua lua, IntPtr luaState)
    {
        if (lua.GetTop() != 1)
        {
            lua.PushString(ScriptErrors.WrongNumberOfArguments);
            return Raise(lua, luaState);
        }

        byte[] bytes = lua.Type(1) is LuaType.String or LuaType.Number ? lua.ToBuffer(1, false) ?? [] : [];
        lua.PushString(LuaScriptEngine.Sha1Hex(bytes));
        return 1;
    }

    private int OnLog(Lua lua, IntPtr luaState)
    {
        string? error = lua.GetTop() < 2 ? ScriptErrors.LogArgumentCount
            : !lua.IsNumber(1) ? ScriptErrors.LogLevelType
            : lua.ToNumber(1) is < 0 or > 3 ? ScriptErrors.LogLevelRange
            : null;
        if (error is null)
        {
            return 0;
        }

        lua.PushString(error);
        return Raise(lua, luaState);
    }

    private int OnSetRepl(Lua lua, IntPtr luaState)
    {
        // Redis: int flags = lua_tonumber(...); valid when only the AOF (1) and replica (2) bits are set.
        string? error = lua.GetTop() != 1 ? ScriptErrors.SetReplArgumentCount
            : (LuaNumberFormatter.ToRedisInteger(lua.ToNumber(1)) & ~3L) != 0 ? ScriptErrors.SetReplFlags
            : null;
        if (error is null)
        {
            return 0;
        }

        lua.PushString(error);
        return Raise(lua, luaState);
    }

    /// <summary>
    /// Raises the value on top of the stack once Lua has left this C# function: it goes to the pending box and
    /// the thread's hook (the prelude's guard) gets the return event, which raises it from a native frame.
    /// </summary>
    private int Raise(Lua lua, IntPtr luaState)
    {
        IntPtr hook = NativeMethods.lua_gethook(luaState);
        if (hook == IntPtr.Zero)
        {
            // Not a script thread (cannot happen: the prelude hooks every coroutine); the error is the result.
            return 1;
        }

        lua.RawGetInteger(LuaRegistry.Index, _pendingRef);
        lua.PushCopy(-2);
        lua.RawSetInteger(-2, 1);
        lua.Pop(1);
        NativeMethods.lua_sethook(luaState, hook, NativeMethods.MaskCount | NativeMethods.MaskReturn, NativeMethods.lua_gethookcount(luaState));
        return 1;
    }

    /// <summary>
    /// A redis.call argument: strings as they are, integers in decimal, floats as C's <c>%.17g</c>; null
    /// for other types. Numbers are formatted here rather than by lua_tolstring, which would change the value in place.
    /// </summary>
    private static byte[]? ArgumentBytes(Lua lua, int index) => lua.Type(index) switch
    {
        LuaType.String => lua.ToBuffer(index, false) ?? [],
        LuaType.Number => Encoding.ASCII.GetBytes(lua.IsInteger(index)
            ? lua.ToInteger(index).ToString(CultureInfo.InvariantCulture)
            : LuaNumberFormatter.FormatG17(lua.ToNumber(index))),
        _ => null,
    };

    private int CallFailed(Lua lua, IntPtr luaState, string error, bool raise)
    {
        lua.CreateTable(0, 1);
        lua.PushString("err");
        lua.PushString(error);
        lua.RawSet(-3);
        return raise ? Raise(lua, luaState) : 1;
    }

    /// <summary>
    /// The wrapper for the Lua thread a callback runs on: the main one, or a coroutine. KeraLua's wrappers of
    /// coroutines are only weakly referenced by the thread, so this run keeps them until it ends. (Each one
    /// also costs a weak GCHandle that KeraLua never frees: one per coroutine that calls C#, rare in scripts.)
    /// </summary>
    private Lua ThreadOf(IntPtr luaState)
    {
        if (luaState == _lua.Handle)
        {
            return _lua;
        }

        _coroutines ??= [];
        if (!_coroutines.TryGetValue(luaState, out Lua? lua))
        {
            lua = Lua.FromIntPtr(luaState);
            _coroutines[luaState] = lua;
        }

        return lua;
    }
}
