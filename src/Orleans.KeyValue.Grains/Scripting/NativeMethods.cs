using System.Runtime.InteropServices;

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// The Lua C API calls KeraLua only offers through delegates. A hook must stay the native function the
/// debug library installed (it calls the Lua hook, which may raise): a delegate round trip could put a
/// managed thunk between Lua frames, which a Lua error (longjmp) must never cross.
/// </summary>
internal static class NativeMethods
{
    /// <summary>The library KeraLua loads (runtimes/&lt;rid&gt;/native/liblua54.so).</summary>
    private const string LuaLibrary = "lua54";

    /// <summary>LUA_MASKRET.</summary>
    public const int MaskReturn = 1 << 1;

    /// <summary>LUA_MASKCOUNT.</summary>
    public const int MaskCount = 1 << 3;

    [DllImport(LuaLibrary, CallingConvention = CallingConvention.Cdecl)]
    public static extern IntPtr lua_gethook(IntPtr luaState);

    [DllImport(LuaLibrary, CallingConvention = CallingConvention.Cdecl)]
    public static extern int lua_gethookcount(IntPtr luaState);

    [DllImport(LuaLibrary, CallingConvention = CallingConvention.Cdecl)]
    public static extern void lua_sethook(IntPtr luaState, IntPtr hook, int mask, int count);
}
