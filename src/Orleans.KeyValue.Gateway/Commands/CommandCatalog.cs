namespace Orleans.KeyValue.Gateway.Commands;

/// <summary>
/// The commands we serve: names, arities, key positions and flags as Redis reports them (7.0;
/// 8.4 for the commands 8.4 added), each bound to its family's handler. The order here is the
/// order COMMAND and COMMAND LIST report.
/// </summary>
internal static class CommandCatalog
{
    private static readonly string[] ReadFlags = ["readonly", "fast"];
    private static readonly string[] WriteFlags = ["write", "denyoom"];
    private static readonly string[] FastWriteFlags = ["write", "fast"];
    private static readonly string[] FastDenyOomWriteFlags = ["write", "denyoom", "fast"];
    private static readonly string[] ConnectionFlags = ["noscript", "loading", "stale", "fast", "no_auth", "allow_busy"];

    public static Dictionary<string, CommandDefinition> Build(
        StringCommands strings,
        StringTypeCommands stringType,
        HashCommands hashes,
        KeyCommands keys,
        MSetExCommands msetex,
        ScriptingCommands scripting,
        FunctionCommands functions,
        TransactionCommands transactions,
        ObjectCommands objects,
        ConnectionCommands connection,
        AclCommands acl,
        CommandDocs docs,
        ServerCommands server,
        KeyspaceCommands keyspace,
        ClusterCommands cluster)
    {
        static CommandDefinition Key(string name, int arity, CommandHandler handler, string[] flags, string group, string summary, string since, int lastKey = 1, int step = 1, KeyRouting routing = KeyRouting.FirstKey, bool holdsSlot = false) => new()
        {
            HoldsSlot = holdsSlot,
            Name = name,
            Arity = arity,
            Handler = handler,
            Flags = flags,
            FirstKey = 1,
            LastKey = lastKey,
            Step = step,
            Routing = routing,
            Group = group,
            Summary = summary,
            Since = since,
            AllowedInScript = true,
        };

        static CommandDefinition Plain(string name, int arity, CommandHandler handler, string[] flags, string group, string summary, string since, bool inScript = false, bool noAuth = false, KeyRouting routing = KeyRouting.FirstKey) => new()
        {
            Name = name,
            Arity = arity,
            Handler = handler,
            Flags = flags,
            Routing = routing,
            Group = group,
            Summary = summary,
            Since = since,
            AllowedInScript = inScript,
            AllowedUnauthenticated = noAuth,
        };

        static Dictionary<string, CommandDefinition> Table(params CommandDefinition[] definitions)
        {
            var table = new Dictionary<string, CommandDefinition>(StringComparer.OrdinalIgnoreCase);
            foreach (var definition in definitions)
            {
                table.Add(definition.ShortName, definition);
            }

            return table;
        }

        static CommandDefinition Container(string name, string summary, string since, params CommandDefinition[] subcommands) => new()
        {
            Name = name,
            Arity = -2,
            Group = subcommands[0].Group,
            Summary = summary,
            Since = since,
            Subcommands = Table(subcommands),
        };

        // OBJECT's subcommands name their key after the subcommand.
        static CommandDefinition ObjectSub(string name, CommandHandler handler, string summary, string since) => new()
        {
            Name = "object|" + name,
            Arity = 3,
            Handler = handler,
            Flags = ["readonly"],
            FirstKey = 2,
            LastKey = 2,
            Step = 1,
            Group = "generic",
            Summary = summary,
            Since = since,
            AllowedInScript = true,
        };

        var definitions = new List<CommandDefinition>
        {
            Key("get", 2, strings.GetAsync, ReadFlags, "string", "Returns the string value of a key.", "1.0.0"),
            Key("set", -3, strings.SetAsync, WriteFlags, "string", "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "1.0.0"),
            Key("setnx", 3, strings.SetNxAsync, ["write", "denyoom", "fast"], "string", "Set the string value of a key only when the key doesn't exist.", "1.0.0"),
            Key("setex", 4, strings.SetExAsync, WriteFlags, "string", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "2.0.0"),
            Key("psetex", 4, strings.PSetExAsync, WriteFlags, "string", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "2.6.0"),
            Key("getdel", 2, strings.GetDelAsync, FastWriteFlags, "string", "Returns the string value of a key after deleting the key.", "6.2.0"),
            Key("getex", -2, strings.GetExAsync, FastWriteFlags, "string", "Returns the string value of a key after setting its expiration time.", "6.2.0"),
            Key("delex", -2, strings.DelExAsync, FastWriteFlags, "string", "Conditionally removes the specified key based on value or digest comparison.", "8.4.0"),
            Key("digest", 2, strings.DigestAsync, ReadFlags, "string", "Returns the XXH3 hash of a string value.", "8.4.0"),
            Key("append", 3, stringType.AppendAsync, FastDenyOomWriteFlags, "string", "Appends a string to the value of a key. Creates the key if it doesn't exist.", "2.0.0"),
            Key("decr", 2, stringType.DecrAsync, FastDenyOomWriteFlags, "string", "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0"),
            Key("decrby", 3, stringType.DecrByAsync, FastDenyOomWriteFlags, "string", "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "1.0.0"),
            Key("incr", 2, stringType.IncrAsync, FastDenyOomWriteFlags, "string", "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "1.0.0"),
            Key("incrby", 3, stringType.IncrByAsync, FastDenyOomWriteFlags, "string", "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "1.0.0"),
            Key("incrbyfloat", 3, stringType.IncrByFloatAsync, FastDenyOomWriteFlags, "string", "Increment the floating point value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "2.6.0"),
            Key("getrange", 4, stringType.GetRangeAsync, ["readonly"], "string", "Returns a substring of the string stored at a key.", "2.4.0"),
            Key("substr", 4, stringType.GetRangeAsync, ["readonly"], "string", "Returns a substring from string value.", "1.0.0"),
            Key("setrange", 4, stringType.SetRangeAsync, WriteFlags, "string", "Overwrites a part of a string value with another by an offset. Creates the key if it doesn't exist.", "2.2.0"),
            Key("strlen", 2, stringType.StrLenAsync, ReadFlags, "string", "Returns the length of a string value.", "2.2.0"),
            Key("getset", 3, stringType.GetSetAsync, FastDenyOomWriteFlags, "string", "Returns the previous string value of a key after setting it to a new value.", "1.0.0"),
            Key("mget", -2, stringType.MGetAsync, ReadFlags, "string", "Atomically returns the string values of one or more keys.", "1.0.0", lastKey: -1, routing: KeyRouting.EachKeyArray, holdsSlot: true),
            Key("mset", -3, stringType.MSetAsync, WriteFlags, "string", "Atomically creates or modifies the string values of one or more keys.", "1.0.1", lastKey: -1, step: 2, routing: KeyRouting.PairsBySlot, holdsSlot: true),
            Key("msetnx", -3, stringType.MSetNxAsync, WriteFlags, "string", "Atomically modifies the string values of one or more keys only when all keys don't exist.", "1.0.1", lastKey: -1, step: 2, routing: KeyRouting.SameSlotPairs, holdsSlot: true),
            Key("hset", -4, hashes.HSetAsync, FastDenyOomWriteFlags, "hash", "Creates or modifies the value of a field in a hash.", "2.0.0"),
            Key("hsetnx", 4, hashes.HSetNxAsync, FastDenyOomWriteFlags, "hash", "Sets the value of a field in a hash only when the field doesn't exist.", "2.0.0"),
            Key("hmset", -4, hashes.HMSetAsync, FastDenyOomWriteFlags, "hash", "Sets the values of multiple fields.", "2.0.0"),
            Key("hget", 3, hashes.HGetAsync, ReadFlags, "hash", "Returns the value of a field in a hash.", "2.0.0"),
            Key("hmget", -3, hashes.HMGetAsync, ReadFlags, "hash", "Returns the values of all fields in a hash.", "2.0.0"),
            Key("hdel", -3, hashes.HDelAsync, FastWriteFlags, "hash", "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.", "2.0.0"),
            Key("hexists", 3, hashes.HExistsAsync, ReadFlags, "hash", "Determines whether a field exists in a hash.", "2.0.0"),
            Key("hgetall", 2, hashes.HGetAllAsync, ["readonly"], "hash", "Returns all fields and values in a hash.", "2.0.0"),
            Key("hkeys", 2, hashes.HKeysAsync, ["readonly"], "hash", "Returns all fields in a hash.", "2.0.0"),
            Key("hvals", 2, hashes.HValsAsync, ["readonly"], "hash", "Returns all values in a hash.", "2.0.0"),
            Key("hlen", 2, hashes.HLenAsync, ReadFlags, "hash", "Returns the number of fields in a hash.", "2.0.0"),
            Key("hincrby", 4, hashes.HIncrByAsync, FastDenyOomWriteFlags, "hash", "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.", "2.0.0"),
            Key("hincrbyfloat", 4, hashes.HIncrByFloatAsync, FastDenyOomWriteFlags, "hash", "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.", "2.6.0"),
            Key("hstrlen", 3, hashes.HStrLenAsync, ReadFlags, "hash", "Returns the length of the value of a field.", "3.2.0"),
            Key("hrandfield", -2, hashes.HRandFieldAsync, ["readonly"], "hash", "Returns one or more random fields from a hash.", "6.2.0"),
            Key("hscan", -3, hashes.HScanAsync, ["readonly"], "hash", "Iterates over fields and values of a hash.", "2.8.0"),
            Key("lcs", -3, stringType.LcsAsync, ["readonly"], "string", "Finds the longest common substring.", "7.0.0", lastKey: 2, routing: KeyRouting.SameSlotKeys, holdsSlot: true),

            // MSETEX's keys follow numkeys (a keynum key spec), so COMMAND INFO shows 0 0 0 and
            // movablekeys, as Redis 8.4 does; routing reads the layout itself.
            new()
            {
                Name = "msetex",
                Arity = -4,
                Handler = msetex.MSetExAsync,
                Flags = ["write", "denyoom", "movablekeys"],
                Group = "string",
                Summary = "Atomically sets multiple string keys with a shared expiration in a single operation. Supports flexible argument parsing where condition and expiration flags can appear in any order.",
                Since = "8.4.0",
                AllowedInScript = true,
                Routing = KeyRouting.KeyValuePairs,
                HoldsSlot = true,
            },
            Key("del", -2, keys.DelAsync, ["write"], "generic", "Deletes one or more keys.", "1.0.0", lastKey: -1, routing: KeyRouting.EachKey),
            // UNLINK is DEL whose memory Redis reclaims in the background; here there is nothing to
            // reclaim later, so it is DEL. StackExchange.Redis sends it for KeyDelete.
            Key("unlink", -2, keys.DelAsync, FastWriteFlags, "generic", "Asynchronously deletes one or more keys.", "4.0.0", lastKey: -1, routing: KeyRouting.EachKey),
            Key("exists", -2, keys.ExistsAsync, ReadFlags, "generic", "Determines whether one or more keys exist.", "1.0.0", lastKey: -1, routing: KeyRouting.EachKey),
            Key("expire", -3, keys.ExpireAsync, FastWriteFlags, "generic", "Sets the expiration time of a key in seconds.", "1.0.0"),
            Key("pexpire", -3, keys.PExpireAsync, FastWriteFlags, "generic", "Sets the expiration time of a key in milliseconds.", "2.6.0"),
            Key("expireat", -3, keys.ExpireAtAsync, FastWriteFlags, "generic", "Sets the expiration time of a key to a Unix timestamp.", "1.2.0"),
            Key("pexpireat", -3, keys.PExpireAtAsync, FastWriteFlags, "generic", "Sets the expiration time of a key to a Unix milliseconds timestamp.", "2.6.0"),
            Key("ttl", 2, keys.TtlAsync, ReadFlags, "generic", "Returns the expiration time in seconds of a key.", "1.0.0"),
            Key("pttl", 2, keys.PTtlAsync, ReadFlags, "generic", "Returns the expiration time in milliseconds of a key.", "2.6.0"),
            Key("expiretime", 2, keys.ExpireTimeAsync, ReadFlags, "generic", "Returns the expiration time of a key as a Unix timestamp.", "7.0.0"),
            Key("pexpiretime", 2, keys.PExpireTimeAsync, ReadFlags, "generic", "Returns the expiration time of a key as a Unix milliseconds timestamp.", "7.0.0"),
            Key("persist", 2, keys.PersistAsync, FastWriteFlags, "generic", "Removes the expiration time of a key.", "2.2.0"),
            Container(
                "object",
                "A container for object introspection commands.",
                "2.2.3",
                ObjectSub("encoding", objects.EncodingAsync, "Returns the internal encoding of a Redis object.", "2.2.3"),
                ObjectSub("refcount", objects.RefCountAsync, "Returns the reference count of a value of a key.", "2.2.3"),
                ObjectSub("freq", objects.FreqAsync, "Returns the logarithmic access frequency counter of a Redis object.", "4.0.0"),
                ObjectSub("idletime", objects.IdleTimeAsync, "Returns the time since the last access to a Redis object.", "2.2.3")),
            Key("type", 2, keys.TypeAsync, ReadFlags, "generic", "Determines the type of value stored at a key.", "1.0.0"),
            Plain("eval", -3, scripting.EvalAsync, ["noscript", "skip_monitor", "may_replicate", "no_mandatory_keys", "stale"], "scripting", "Executes a server-side Lua script.", "2.6.0", routing: KeyRouting.ScriptKeys),
            Plain("evalsha", -3, scripting.EvalShaAsync, ["noscript", "skip_monitor", "may_replicate", "no_mandatory_keys", "stale"], "scripting", "Executes a server-side Lua script by SHA1 digest.", "2.6.0", routing: KeyRouting.ScriptKeys),
            Plain("fcall", -3, scripting.FCallAsync, ["noscript", "skip_monitor", "may_replicate", "no_mandatory_keys", "stale"], "scripting", "Invokes a function.", "7.0.0", routing: KeyRouting.ScriptKeys),
            Plain("fcall_ro", -3, scripting.FCallReadOnlyAsync, ["readonly", "noscript", "skip_monitor", "no_mandatory_keys", "stale"], "scripting", "Invokes a read-only function.", "7.0.0", routing: KeyRouting.ScriptKeys),
            Container(
                "function",
                "A container for function commands.",
                "7.0.0",
                Plain("function|load", -3, functions.LoadAsync, ["write", "denyoom", "noscript"], "scripting", "Creates a library.", "7.0.0"),
                Plain("function|list", -2, functions.ListAsync, ["noscript"], "scripting", "Returns information about all libraries.", "7.0.0"),
                Plain("function|delete", 3, functions.DeleteAsync, ["write", "noscript"], "scripting", "Deletes a library and its functions.", "7.0.0"),
                Plain("function|flush", -2, functions.FlushAsync, ["write", "noscript"], "scripting", "Deletes all libraries and functions.", "7.0.0"),
                Plain("function|stats", 2, functions.StatsAsync, ["noscript", "allow_busy"], "scripting", "Returns information about a function during execution.", "7.0.0"),
                Plain("function|dump", 2, functions.DumpAsync, ["noscript"], "scripting", "Dumps all libraries into a serialized binary payload.", "7.0.0"),
                Plain("function|restore", -3, functions.RestoreAsync, ["write", "denyoom", "noscript"], "scripting", "Restores all libraries from a payload.", "7.0.0"),
                Plain("function|kill", 2, FunctionCommands.KillAsync, ["noscript", "allow_busy"], "scripting", "Terminates a function during execution.", "7.0.0")),
            Container(
                "script",
                "A container for Lua scripts management commands.",
                "2.6.0",
                Plain("script|load", 3, scripting.ScriptLoadAsync, ["noscript", "stale"], "scripting", "Loads a server-side Lua script to the script cache.", "2.6.0"),
                Plain("script|exists", -3, scripting.ScriptExistsAsync, ["noscript"], "scripting", "Determines whether server-side Lua scripts exist in the script cache.", "2.6.0"),
                Plain("script|flush", -2, scripting.ScriptFlushAsync, ["noscript"], "scripting", "Removes all server-side Lua scripts from the script cache.", "2.6.0"),
                Plain("script|kill", 2, ScriptingCommands.ScriptKillAsync, ["noscript", "allow_busy"], "scripting", "Terminates a server-side Lua script during execution.", "2.6.0")),
            Plain("multi", 1, TransactionCommands.MultiAsync, ["noscript", "loading", "stale", "fast", "allow_busy"], "transactions", "Starts a transaction.", "1.2.0"),
            Plain("exec", 1, transactions.ExecAsync, ["noscript", "loading", "stale", "skip_slowlog"], "transactions", "Executes all commands in a transaction.", "1.2.0"),
            Plain("discard", 1, TransactionCommands.DiscardAsync, ["noscript", "loading", "stale", "fast", "allow_busy"], "transactions", "Discards a transaction.", "2.0.0"),
            Key("watch", -2, transactions.WatchAsync, ["noscript", "loading", "stale", "fast", "allow_busy"], "transactions", "Monitors changes to keys to determine the execution of a transaction.", "2.2.0", lastKey: -1, routing: KeyRouting.None),
            Plain("unwatch", 1, TransactionCommands.UnwatchAsync, ["noscript", "loading", "stale", "fast", "allow_busy"], "transactions", "Forgets about watched keys of a transaction.", "2.2.0"),
            Plain("ping", -1, ConnectionCommands.PingAsync, ["fast", "sentinel"], "connection", "Returns the server's liveliness response.", "1.0.0", inScript: true),
            Plain("echo", 2, ConnectionCommands.EchoAsync, ["fast"], "connection", "Returns the given string.", "1.0.0", inScript: true),
            Plain("quit", -1, ConnectionCommands.QuitAsync, ConnectionFlags, "connection", "Closes the connection.", "1.0.0", noAuth: true),
            Plain("select", 2, ConnectionCommands.SelectAsync, ["loading", "stale", "fast"], "connection", "Changes the selected database.", "1.0.0", inScript: true),
            Plain("auth", -2, connection.AuthAsync, ConnectionFlags, "connection", "Authenticates the connection.", "1.0.0", noAuth: true),
            Plain("hello", -1, connection.HelloAsync, ConnectionFlags, "connection", "Handshakes with the Redis server.", "6.0.0", noAuth: true),
            Container(
                "client",
                "A container for client connection commands.",
                "2.4.0",
                Plain("client|setname", 3, ConnectionCommands.ClientSetNameAsync, ["noscript", "loading", "stale"], "connection", "Sets the connection name.", "2.6.9"),
                Plain("client|getname", 2, ConnectionCommands.ClientGetNameAsync, ["noscript", "loading", "stale"], "connection", "Returns the name of the connection.", "2.6.9"),
                Plain("client|id", 2, ConnectionCommands.ClientIdAsync, ["noscript", "loading", "stale"], "connection", "Returns the unique client ID of the connection.", "5.0.0"),
                Plain("client|info", 2, connection.ClientInfoAsync, ["noscript", "loading", "stale"], "connection", "Returns information about the connection.", "6.2.0"),
                Plain("client|list", -2, connection.ClientListAsync, ["admin", "noscript", "loading", "stale"], "connection", "Lists open connections.", "2.4.0"),
                Plain("client|setinfo", 4, ConnectionCommands.ClientSetInfoAsync, ["noscript", "loading", "stale"], "connection", "Sets information specific to the client or connection.", "7.2.0"),
                Plain("client|help", 2, ConnectionCommands.ClientHelpAsync, ["loading", "stale"], "connection", "Returns helpful text about the different subcommands.", "5.0.0")),
            Container(
                "acl",
                "A container for Access List Control commands.",
                "6.0.0",
                Plain("acl|cat", -2, acl.CatAsync, ["noscript", "loading", "stale"], "server", "Lists the ACL categories, or the commands inside a category.", "6.0.0"),
                Plain("acl|deluser", -3, acl.DelUserAsync, ["admin", "noscript", "loading", "stale"], "server", "Deletes ACL users, and terminates their connections.", "6.0.0"),
                Plain("acl|dryrun", -4, acl.DryRunAsync, ["admin", "noscript", "loading", "stale"], "server", "Simulates the execution of a command by a user, without executing the command.", "7.0.0"),
                Plain("acl|getuser", 3, acl.GetUserAsync, ["admin", "noscript", "loading", "stale"], "server", "Lists the ACL rules of a user.", "6.0.0"),
                Plain("acl|help", 2, AclCommands.HelpAsync, ["loading", "stale"], "server", "Returns helpful text about the different subcommands.", "6.0.0"),
                Plain("acl|list", 2, acl.ListAsync, ["admin", "noscript", "loading", "stale"], "server", "Dumps the effective rules in ACL file format.", "6.0.0"),
                Plain("acl|setuser", -3, acl.SetUserAsync, ["admin", "noscript", "loading", "stale"], "server", "Creates and modifies an ACL user and its rules.", "6.0.0"),
                Plain("acl|users", 2, acl.UsersAsync, ["admin", "noscript", "loading", "stale"], "server", "Lists all ACL users.", "6.0.0"),
                Plain("acl|whoami", 2, AclCommands.WhoAmIAsync, ["noscript", "loading", "stale"], "server", "Returns the authenticated username of the current connection.", "6.0.0")),
            Container(
                "command",
                "Returns detailed information about all commands.",
                "2.8.13",
                Plain("command|count", 2, docs.CommandCountAsync, ["loading", "stale"], "server", "Returns a count of commands.", "2.8.13"),
                Plain("command|list", -2, docs.CommandListAsync, ["loading", "stale"], "server", "Returns a list of command names.", "7.0.0"),
                Plain("command|info", -2, docs.CommandInfoAsync, ["loading", "stale"], "server", "Returns information about one, multiple or all commands.", "2.8.13"),
                Plain("command|docs", -2, docs.CommandDocsAsync, ["loading", "stale"], "server", "Returns documentary information about one, multiple or all commands.", "7.0.0"),
                Plain("command|help", 2, CommandDocs.CommandHelpAsync, ["loading", "stale"], "server", "Returns helpful text about the different subcommands.", "5.0.0")),
            Plain("info", -1, server.InfoAsync, ["loading", "stale"], "server", "Returns information and statistics about the server.", "1.0.0"),
            Plain("dbsize", 1, keyspace.DbSizeAsync, ["readonly", "fast"], "server", "Returns the number of keys in the database.", "1.0.0", inScript: true),
            Plain("flushdb", -1, keyspace.FlushAsync, ["write"], "server", "Remove all keys from the current database.", "1.0.0"),
            Plain("flushall", -1, keyspace.FlushAsync, ["write"], "server", "Removes all keys from all databases.", "1.0.0"),
            Plain("keys", 2, keyspace.KeysAsync, ["readonly"], "keyspace", "Returns all key names that match a pattern.", "1.0.0"),
            Plain("scan", -2, keyspace.ScanAsync, ["readonly"], "keyspace", "Iterates over the key names in the database.", "2.8.0"),
            Plain("time", 1, server.TimeAsync, ["loading", "stale", "fast"], "server", "Returns the server time.", "2.6.0", inScript: true),
            Container(
                "config",
                "A container for server configuration commands.",
                "2.0.0",
                Plain("config|get", -3, server.ConfigGetAsync, ["admin", "noscript", "loading", "stale"], "server", "Returns the effective values of configuration parameters.", "2.0.0"),
                Plain("config|set", -4, server.ConfigSetAsync, ["admin", "noscript", "loading", "stale"], "server", "Sets configuration parameters in-flight.", "2.0.0"),
                Plain("config|resetstat", 2, ServerCommands.ConfigResetStatAsync, ["admin", "noscript", "loading", "stale"], "server", "Resets the server's statistics.", "2.0.0")),
            Container(
                "memory",
                "A container for memory diagnostics commands.",
                "4.0.0",
                Plain("memory|purge", 2, ServerCommands.MemoryPurgeAsync, [], "server", "Asks the allocator to release memory.", "4.0.0")),
            Container(
                "cluster",
                "A container for Redis Cluster commands (here: where keys live, for cluster-aware clients).",
                "3.0.0",
                Plain("cluster|slots", 2, cluster.ClusterSlotsAsync, ["loading", "stale"], "cluster", "Returns the mapping of cluster slots to silos' gateways.", "3.0.0"),
                Plain("cluster|keyslot", 3, ClusterCommands.ClusterKeySlotAsync, ["loading", "stale"], "cluster", "Returns the hash slot for a key.", "3.0.0")),
        };

        // COMMAND alone lists every command; as a container it also has subcommands.
        var table = new Dictionary<string, CommandDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var definition in definitions)
        {
            table.Add(definition.Name, definition.Name == "command" ? WithHandler(definition, docs.CommandAsync) : definition);
        }

        return table;
    }

    private static CommandDefinition WithHandler(CommandDefinition definition, CommandHandler handler) => new()
    {
        Name = definition.Name,
        Arity = -1,
        Handler = handler,
        Flags = ["loading", "stale"],
        Group = definition.Group,
        Summary = definition.Summary,
        Since = definition.Since,
        Subcommands = definition.Subcommands,
    };
}
