using System.Runtime.InteropServices;
using System.Text;
using KeraLua;

namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// Redis 7.0's conversions between replies and Lua values (script_lua.c), for a RESP2 script client.
/// Only raw table access: no metamethod, so no Lua code and no Lua error, can run from here.
/// </summary>
internal static class LuaValueConverter
{
    /// <summary>Stack slots one nesting level may use: table, key, value and a field being checked.</summary>
    private const int SlotsPerLevel = 4;

    /// <summary>
    /// Pushes a command's reply as redis.call returns it: integer → number, bulk → string, nil → false,
    /// array → table, status → {ok=text}, error → {err=text}. Maps and sets arrive flat, as RESP2 sends them.
    /// </summary>
    public static void Push(Lua lua, in KvReply reply)
    {
        switch (reply.Kind)
        {
            case KvReplyKind.Integer:
                lua.PushInteger(reply.Integer);
                break;
            case KvReplyKind.Bulk:
                lua.PushBuffer(ToArray(reply.Bytes));
                break;
            case KvReplyKind.Ok:
            case KvReplyKind.Status:
                PushSingleFieldTable(lua, "ok", reply.Text ?? string.Empty);
                break;
            case KvReplyKind.Error:
                PushSingleFieldTable(lua, "err", NormalizeError(reply.Text ?? string.Empty));
                break;
            case KvReplyKind.Array:
            case KvReplyKind.Map:
            case KvReplyKind.Set:
                PushArray(lua, reply.Items ?? []);
                break;
            case KvReplyKind.Pairs:
                // Scripts speak RESP2: one flat array.
                PushArray(lua, [.. (reply.Items ?? []).SelectMany(pair => pair.Items ?? [])]);
                break;
            default:
                // Nil bulk and nil array.
                lua.PushBoolean(false);
                break;
        }
    }

    /// <summary>Pushes a table {1 = bytes, 2 = bytes, ...}, as KEYS and ARGV.</summary>
    public static void PushStrings(Lua lua, byte[][] values)
    {
        lua.CreateTable(values.Length, 0);
        for (int i = 0; i < values.Length; i++)
        {
            lua.PushBuffer(values[i]);
            lua.RawSetInteger(-2, i + 1);
        }
    }

    /// <summary>
    /// The reply for the Lua value at <paramref name="index"/>: number → integer (truncated), string → bulk,
    /// true → 1, false and nil → nil, {err=s} → error, {ok=s} → status, other tables → array of 1..n up to the
    /// first nil. Tables deeper than <paramref name="maxDepth"/> become <c>ERR reached lua stack limit</c>.
    /// </summary>
    public static KvReply ToReply(Lua lua, int index, int maxDepth) => ToReply(lua, lua.AbsIndex(index), 0, maxDepth);

    /// <summary>
    /// An error reply's text as Redis hands it to Lua (luaPushErrorBuff): the code is the text up to the first
    /// space, ERR when there is none; CR and LF are trimmed from the ends of the message.
    /// </summary>
    public static string NormalizeError(string text)
    {
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        string code = space < 0 ? "ERR" : text[..space];
        string message = (space < 0 ? text : text[(space + 1)..]).Trim('\r', '\n');
        return code + " " + message;
    }

    /// <summary>CR and LF become spaces in status and error replies, as Redis maps them (they would break RESP).</summary>
    public static string SanitizeLine(string text) =>
        text.AsSpan().IndexOfAny('\r', '\n') < 0 ? text : text.Replace('\r', ' ').Replace('\n', ' ');

    /// <summary>The text of the Lua string at the top of the stack, which is popped.</summary>
    public static string PopText(Lua lua)
    {
        string text = Encoding.UTF8.GetString(lua.ToBuffer(-1, false) ?? []);
        lua.Pop(1);
        return text;
    }

    private static KvReply ToReply(Lua lua, int index, int depth, int maxDepth)
    {
        switch (lua.Type(index))
        {
            case LuaType.String:
                return KvReply.FromBulk(lua.ToBuffer(index, false) ?? []);
            case LuaType.Number:
                // Redis runs Lua 5.1, where every number is a double: an integer above 2^53
                // loses precision exactly as it does there, so convert through double too.
                return KvReply.FromInteger(LuaNumberFormatter.ToRedisInteger(lua.IsInteger(index)
                    ? (double)lua.ToInteger(index)
                    : lua.ToNumber(index)));
            case LuaType.Boolean:
                return lua.ToBoolean(index) ? KvReply.One : KvReply.Nil;
            case LuaType.Table:
                return depth < maxDepth && lua.CheckStack(SlotsPerLevel)
                    ? TableToReply(lua, index, depth + 1, maxDepth)
                    : KvReply.FromError(ScriptErrors.StackLimit);
            default:
                return KvReply.Nil;
        }
    }

    private static KvReply TableToReply(Lua lua, int index, int depth, int maxDepth)
    {
        // The fields Redis looks for, in its order.
        if (RawGetField(lua, index, "err") == LuaType.String)
        {
            return KvReply.FromError(SanitizeLine(PopText(lua)));
        }

        lua.Pop(1);
        if (RawGetField(lua, index, "ok") == LuaType.String)
        {
            return KvReply.FromStatus(SanitizeLine(PopText(lua)));
        }

        lua.Pop(1);
        if (RawGetField(lua, index, "double") == LuaType.Number)
        {
            // RESP2 writes a double reply as a bulk string.
            double value = lua.ToNumber(-1);
            lua.Pop(1);
            return KvReply.FromBulk(LuaNumberFormatter.FormatG17(value));
        }

        lua.Pop(1);
        if (RawGetField(lua, index, "big_number") == LuaType.String)
        {
            return KvReply.FromBulk(SanitizeLine(PopText(lua)));
        }

        lua.Pop(1);
        if (RawGetField(lua, index, "verbatim_string") == LuaType.Table)
        {
            int verbatim = lua.GetTop();
            bool hasFormat = RawGetField(lua, verbatim, "format") == LuaType.String;
            lua.Pop(1);
            if (hasFormat && RawGetField(lua, verbatim, "string") == LuaType.String)
            {
                var text = KvReply.FromBulk(lua.ToBuffer(-1, false) ?? []);
                lua.Pop(2);
                return text;
            }

            if (hasFormat)
            {
                lua.Pop(1);
            }
        }

        lua.Pop(1);
        if (RawGetField(lua, index, "map") == LuaType.Table)
        {
            KvReply map = KvReply.FromMap(PairsToReplies(lua, lua.GetTop(), depth, maxDepth, values: true));
            lua.Pop(1);
            return map;
        }

        lua.Pop(1);
        if (RawGetField(lua, index, "set") == LuaType.Table)
        {
            KvReply set = KvReply.FromSet(PairsToReplies(lua, lua.GetTop(), depth, maxDepth, values: false));
            lua.Pop(1);
            return set;
        }

        lua.Pop(1);
        var items = new List<KvReply>();
        for (long i = 1; lua.RawGetInteger(index, i) != LuaType.Nil; i++)
        {
            items.Add(ToReply(lua, lua.GetTop(), depth, maxDepth));
            lua.Pop(1);
        }

        lua.Pop(1);
        return KvReply.FromArray([.. items]);
    }

    private static KvReply[] PairsToReplies(Lua lua, int table, int depth, int maxDepth, bool values)
    {
        var items = new List<KvReply>();
        lua.PushNil();
        while (lua.Next(table))
        {
            // Stack: key, value. Converting reads the key without changing it (no in-place tostring),
            // so lua_next can go on from it.
            items.Add(ToReply(lua, lua.GetTop() - 1, depth, maxDepth));
            if (values)
            {
                items.Add(ToReply(lua, lua.GetTop(), depth, maxDepth));
            }

            lua.Pop(1);
        }

        return [.. items];
    }

    private static LuaType RawGetField(Lua lua, int table, string name)
    {
        lua.PushString(name);
        return lua.RawGet(table);
    }

    private static void PushSingleFieldTable(Lua lua, string name, string text)
    {
        lua.CreateTable(0, 1);
        lua.PushString(name);
        lua.PushBuffer(Encoding.UTF8.GetBytes(text));
        lua.RawSet(-3);
    }

    private static void PushArray(Lua lua, KvReply[] items)
    {
        if (!lua.CheckStack(SlotsPerLevel))
        {
            lua.PushBoolean(false);
            return;
        }

        lua.CreateTable(items.Length, 0);
        for (int i = 0; i < items.Length; i++)
        {
            Push(lua, items[i]);
            lua.RawSetInteger(-2, i + 1);
        }
    }

    private static byte[] ToArray(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out ArraySegment<byte> segment)
            && segment.Array is not null && segment.Offset == 0 && segment.Count == segment.Array.Length
            ? segment.Array
            : bytes.ToArray();
}
