namespace Orleans.KeyValue.Grains.Scripting;

/// <summary>
/// The Lua code that turns a fresh Lua 5.4 state into Redis 7.0's script sandbox. It runs once per state.
/// </summary>
/// <remarks>
/// <para>
/// Its arguments are the C# functions and the hook interval; it returns <c>run</c>, <c>disarm</c>, the
/// message handler, the pending-error box, and for Redis functions <c>loadlib</c> and <c>callfn</c>.
/// </para>
/// <para>
/// The C# functions never raise a Lua error (a longjmp must not cross managed frames). Those that must raise
/// (redis.call, redis.log, ...) are still C functions, so that a script's <c>return redis.call(...)</c> keeps
/// its frame (a Lua wrapper would be a tail call, and the error would lose the script's line). They put the
/// error in the pending box and add the return event to the thread's hook: when Lua has left the C#
/// function, the hook raises the error as if that function had, under the same pcall, at the same line.
/// </para>
/// </remarks>
internal static class LuaPrelude
{
    /// <summary>Chunk name of the prelude; the message handler skips its frames when it looks for the script line.</summary>
    public const string ChunkName = "=redis";

    public const string Source = """
        local deadline, call, pcallcommand, sha1hex, log, setrepl, hookCount = ...
        local G = _G
        local getinfo, sethook = debug.getinfo, debug.sethook
        local error, type, select, tostring, next = error, type, select, tostring, next
        local rawget, rawset, pcall, load, setmetatable, getmetatable = rawget, rawset, pcall, load, setmetatable, getmetatable
        local collectgarbage = collectgarbage
        local strsub, strfind, strmatch = string.sub, string.find, string.match
        local cocreate, cowrap = coroutine.create, coroutine.wrap
        local internal = getinfo(1, 'S').source

        -- Message handler of every run, as Redis's __redis__err__handler: an error table that tells where in
        -- the script the error was raised, skipping C functions and the wrappers of this chunk.
        local function onerror(e)
          local level, info = 2, nil
          repeat
            info = getinfo(level, 'Sl')
            level = level + 1
          until info == nil or (info.what ~= 'C' and info.source ~= internal)
          local message
          if type(e) == 'table' then
            message = rawget(e, 'err')
            if type(message) ~= 'string' then message = 'ERR unknown error' end
          else
            message = 'ERR ' .. tostring(e)
          end
          if info == nil then return { err = message } end
          return { err = message, source = info.source, line = info.currentline }
        end

        -- [1]: the error a C# function raises as it returns (see the return event below).
        local pending = {}

        -- The hook of every script thread. Count events: C# says whether the script must stop (time limit
        -- reached, or a command threw). Return events: only armed by a C# function that raises.
        local function guard(event)
          if event == 'return' then
            local e = pending[1]
            pending[1] = nil
            sethook(guard, '', hookCount)
            if e ~= nil then error(e, 0) end
            return
          end
          if deadline(true) then
            -- The message handler must complete, or the error would recurse into it.
            if getinfo(2, 'f').func == onerror then return end
            -- From now on stop at every instruction, so that a pcall in the script cannot swallow the stop.
            sethook(guard, '', 1)
            error('script stopped', 0)
          end
        end

        -- Redis 7.0 scripts have none of these.
        for _, name in next, { 'os', 'io', 'require', 'package', 'dofile', 'loadfile', 'debug', 'print', 'warn' } do
          G[name] = nil
        end

        -- Lua 5.1 names that Redis scripts use.
        G.unpack = table.unpack
        G.loadstring = function(chunk, name) return load(chunk, name, 't') end
        -- Text chunks only: Lua does not verify binary chunks.
        G.load = function(chunk, name, _, ...) return load(chunk, name, 't', ...) end

        -- Redis 7.0 wraps pcall: an error table (as redis.call raises) reaches the script as its err string.
        local function pcallresult(ok, ...)
          if ok then return true, ... end
          local e = ...
          if type(e) == 'table' then
            local message = e.err
            if type(message) == 'string' or type(message) == 'number' then e = message end
          end
          return false, e
        end
        G.pcall = function(...) return pcallresult(pcall(...)) end

        -- Lua runs a message handler with hooks off when the error was raised by a hook, as the time limit's
        -- is: a handler that loops would never stop. This xpcall runs the handler after the unwinding, under
        -- the hook (scripts have no debug library, so a handler cannot tell the difference).
        local xpcall = xpcall
        local function xpcallresult(handler, ok, ...)
          if ok then return true, ... end
          local handled, result = pcall(handler, (...))
          if handled then return false, result end
          return false, 'error in error handling'
        end
        G.xpcall = function(f, handler, ...)
          if type(handler) ~= 'function' then return xpcall(f, handler, ...) end
          return xpcallresult(handler, pcall(f, ...))
        end

        -- Read-only tables: _G and the libraries, so that no script changes what the next one sees.
        local readonly = {}
        local function readonlyerror() error('Attempt to modify a readonly table', 2) end
        G.rawset = function(t, ...)
          if readonly[t] then error('Attempt to modify a readonly table', 0) end
          return rawset(t, ...)
        end
        G.setmetatable = function(t, mt, ...)
          if readonly[t] then error('Attempt to modify a readonly table', 0) end
          -- Lua 5.1 ignores __gc on tables. Lua 5.4 would run it during a collection with hooks off, out of
          -- the time limit's reach; it only registers a finalizer when __gc is present at this call.
          local gc = nil
          if type(mt) == 'table' then gc = rawget(mt, '__gc') end
          if gc == nil then return setmetatable(t, mt, ...) end
          rawset(mt, '__gc', nil)
          setmetatable(t, mt, ...)
          rawset(mt, '__gc', gc)
          return t
        end

        -- Hooks belong to one coroutine: new coroutines get the guard too. coroutine.wrap stays Lua's C
        -- function, so that its errors carry the script's position even in 'return f()'.
        coroutine.create = function(f)
          local co = cocreate(f)
          sethook(co, guard, '', hookCount)
          return co
        end
        coroutine.wrap = function(f)
          return cowrap(function(...)
            sethook(guard, '', hookCount)
            return f(...)
          end)
        end

        local redis = {
          LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
          REPL_NONE = 0, REPL_AOF = 1, REPL_SLAVE = 2, REPL_REPLICA = 2, REPL_ALL = 3,
          call = call, pcall = pcallcommand, sha1hex = sha1hex, log = log, set_repl = setrepl,
        }
        function redis.error_reply(...)
          local e = ...
          if select('#', ...) ~= 1 or type(e) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
          -- luaPushErrorBuff: '-CODE message' keeps its code, '-message' gets ERR; no CR/LF at the ends.
          if strsub(e, 1, 1) ~= '-' then e = '-' .. e end
          local space, code, message = strfind(e, ' ', 1, true), 'ERR', nil
          if space then code, message = strsub(e, 2, space - 1), strsub(e, space + 1) else message = strsub(e, 2) end
          return { err = code .. ' ' .. strmatch(message, '^[\r\n]*(.-)[\r\n]*$') }
        end
        function redis.status_reply(...)
          local s = ...
          if select('#', ...) ~= 1 or type(s) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
          return { ok = s }
        end
        function redis.replicate_commands() return true end
        G.redis = redis

        local function protect(t)
          local backing = {}
          for k, v in next, t do backing[k] = v end
          for k in next, backing do t[k] = nil end
          setmetatable(t, {
            __index = backing,
            __newindex = readonlyerror,
            __pairs = function() return next, backing, nil end,
            __metatable = false,
          })
          readonly[t] = true
          return backing
        end
        for _, name in next, { 'string', 'table', 'math', 'utf8', 'coroutine', 'redis' } do protect(G[name]) end
        -- Scripts see a read-only copy of the strings' metatable.
        local stringmeta = getmetatable('')
        stringmeta.__metatable = { __index = G.string }
        protect(stringmeta.__metatable)

        local globals = protect(G)
        setmetatable(globals, {
          __index = function(_, name)
            error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
          end,
          __metatable = false,
        })

        local function run(f, keys, argv)
          globals.KEYS, globals.ARGV = keys, argv
          sethook(guard, '', hookCount)
          return (f())
        end

        local function disarm()
          sethook()
          pending[1] = nil
          globals.KEYS, globals.ARGV = nil, nil
          -- A script may have stopped the collector.
          collectgarbage('restart')
        end

        -- Redis 7.0 functions (FUNCTION LOAD, FCALL). A library's code runs once per state, with the
        -- library API as 'redis' (register_function, log and the log levels only) and no globals of
        -- its own; its functions run later with the whole API, their keys and args as parameters
        -- (no KEYS or ARGV).
        local libapi = { LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3, log = log }
        local registered, loading = nil, false
        local knownflags = { ['no-writes'] = true, ['allow-oom'] = true, ['allow-stale'] = true, ['no-cluster'] = true, ['allow-cross-slot-keys'] = true }
        local function fail(message) error({ err = message }, 0) end
        function libapi.register_function(...)
          local n = select('#', ...)
          local name, callback, flags, description
          if n == 1 then
            local t = ...
            if type(t) ~= 'table' then
              fail('ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
            end
            for k, v in next, t do
              if k == 'function_name' then name = v
              elseif k == 'callback' then callback = v
              elseif k == 'flags' then flags = v
              elseif k == 'description' then description = v
              else fail('ERR unknown argument given to redis.register_function') end
            end
            if name == nil then fail('ERR redis.register_function must get a function name argument') end
            if callback == nil then fail('ERR redis.register_function must get a callback argument') end
          elseif n == 2 then
            name, callback = ...
          else
            fail('ERR wrong number of arguments to redis.register_function')
          end
          -- Lua 5.1's lua_tostring, as Redis reads them: a number stands for its text.
          if type(name) == 'number' then name = tostring(name) end
          if type(description) == 'number' then description = tostring(description) end
          if type(name) ~= 'string' then fail('ERR function_name argument given to redis.register_function must be a string') end
          if type(callback) ~= 'function' then fail('ERR second argument to redis.register_function must be a function') end
          if #name == 0 or strfind(name, '^[%w_]+$') == nil then
            -- Redis 7.0's text, which says library where it means function.
            fail('ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long')
          end
          local flaglist = {}
          if flags ~= nil then
            if type(flags) ~= 'table' then fail('ERR flags argument to redis.register_function must be a table representing function flags') end
            for _, flag in next, flags do
              if type(flag) ~= 'string' or not knownflags[flag] then fail('ERR unknown flag given') end
              flaglist[#flaglist + 1] = flag
            end
          end
          if description ~= nil and type(description) ~= 'string' then fail('ERR description argument given to redis.register_function must be a string') end
          for _, known in next, registered do
            if known.name == name then fail('ERR Function already exists in the library') end
          end
          registered[#registered + 1] = { name = name, callback = callback, flags = flaglist, description = description }
        end
        -- Read-only, and (as Redis's) an unknown name is an error: redis.call while loading fails.
        setmetatable(protect(libapi), {
          __index = function(_, name)
            error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
          end,
        })

        local libenv = setmetatable({}, {
          __index = function(_, name)
            if name == 'redis' and loading then return libapi end
            local value = rawget(globals, name)
            if value == nil then
              error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
            end
            return value
          end,
          __newindex = readonlyerror,
          __metatable = false,
        })

        -- Compiles and runs a library's code: its registrations, or nil and the compile error, or
        -- nil, false and the registration error (as Redis words it after its prefix).
        local function loadlib(code)
          local chunk, message = load(code, '@user_function', 't', libenv)
          if not chunk then return nil, message end
          registered, loading = {}, true
          sethook(guard, '', hookCount)
          local ok, e = pcall(chunk)
          sethook()
          loading = false
          local result = registered
          registered = nil
          if ok then return result end
          if type(e) == 'table' then
            local text = rawget(e, 'err')
            return nil, false, type(text) == 'string' and text or 'ERR unknown error'
          end
          return nil, false, 'ERR ' .. tostring(e)
        end

        local function callfn(f, keys, args)
          sethook(guard, '', hookCount)
          return (f(keys, args))
        end

        return run, disarm, onerror, pending, loadlib, callfn
        """;
}
