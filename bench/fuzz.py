#!/usr/bin/env python3
"""RESP fuzzer for Orleans.KeyValue (issue 13, part 5). Standard library only.

Sends random and mutated RESP inputs at one or more silos from several worker processes, one
connection at a time each, and counts what must never happen: a silo process that dies, an
input neither answered nor closed within the deadline, a reply that is our gateway's text for
an unexpected exception ("ERR internal error: ...") or an error text redis-server never gives,
a reply stream that is not valid RESP, and server-side connections left open after the fuzzer
closed its own. Used by bench/fuzz.sh, which starts and stops the servers.

Sessions (one connection each):
- clean: valid frames of known commands (arguments random or mutated at the argument level,
  still well-formed), pipelined batches, simple inline commands, frames split into tiny writes
  with gaps; every frame must get exactly one reply within the deadline.
- dirty: a few inputs of any kind (byte-mutated frames: bit flips, truncation, duplicated
  segments, wrong lengths, huge and negative counts; inline junk; RESP3 types sent as requests;
  binary junk), sent back to back, then the write side is shut: the server must answer what it
  can and close within the deadline.
- half: half a command, then the client goes away (FIN or RST) without reading.
- flood: a bulk length under proto-max-bulk-len and data past client-query-buffer-limit: the
  server must close the connection (rare: a few MB each).
"""

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import socket
import struct
import subprocess
import sys
import time

# ------------------------------------------------------------------------------------------
# Inputs

# Hash tags put several keys in one slot (multi-key commands, scripts, transactions).
TAGS = [b"{t}", b"{u}", b"{v}", b"{w}"]
KEYS = [b"k%d" % i for i in range(16)] + [t + b"%c" % c for t in TAGS for c in b"abcdef"] + \
       [b"h%d" % i for i in range(6)] + [b"n%d" % i for i in range(4)] + [b"", b"\x00\xff\r\n"]
# A bounded set of junk keys keeps the keyspace (and the silo's memory) bounded.
_junk = random.Random(7)
JUNK_KEYS = [bytes(_junk.randrange(256) for _ in range(_junk.randrange(1, 9))) for _ in range(32)]
FIELDS = [b"f%d" % i for i in range(8)] + [b"", b"\xff"]

SCRIPTS = [
    b"return 1",
    b"return redis.call('GET', KEYS[1])",
    b"return redis.call('SET', KEYS[1], ARGV[1])",
    b"return redis.call('INCR', KEYS[1])",
    b"return redis.pcall('INCR', KEYS[1])",
    b"return {1, 2, {3, 'x'}, redis.call('EXISTS', KEYS[1])}",
    b"return redis.pcall('HSET', KEYS[1], 'f', ARGV[1])",
    b"return redis.error_reply('my error')",
    b"return redis.status_reply('FINE')",
    b"return {err = 'custom'}",
    b"error('boom')",
    b"return 3.99",
    b"return nil",
    b"return true",
    b"return false",
    b"return #KEYS + #ARGV",
    b"local t = {} for i = 1, 100 do t[i] = i end return t",
    b"return redis.call('DEL', KEYS[1], KEYS[2])",
    b"return tostring(ARGV[1])",
    b"return +",
    b"return redis.call('nosuchcommand')",
    b"return redis.call()",
    b"return redis.call('GET')",
    b"return redis.call('SET', KEYS[1])",
    b"return redis.call('EVAL', 'return 1', 0)",
    b"return redis.sha1hex(ARGV[1] or '')",
    b"return cjson and 1 or 0",
    b"return redis.call('HGETALL', KEYS[1])",
    b"return redis.call('MGET', KEYS[1], KEYS[2])",
    b"os.exit(1)",
    b"return string.rep('x', 1000)",
]
SCRIPT_SHAS = []  # filled at start (sha1 of each script), plus junk
PRELOADED = [s for s in SCRIPTS if s != b"return +"]  # loaded before the run (they compile)

LIBRARY = (b"#!lua name=fz\n"
           b"redis.register_function('f1', function(keys, args) return redis.call('GET', keys[1]) end)\n"
           b"redis.register_function('f2', function(keys, args) return redis.call('SET', keys[1], args[1] or 'x') end)\n"
           b"redis.register_function{function_name='f3', callback=function(keys, args) return #args end, flags={'no-writes'}}\n")
LIBRARIES = [LIBRARY, b"#!lua name=fz2\nredis.register_function('g1', function() return 'g' end)",
             b"#!lua name=bad\nreturn 1", b"no shebang", b"#!lua\n", b"#!lua name=fz3\nerror('x')",
             b"#!lua name=fz4 engine=js\n"]
FUNCTIONS = [b"f1", b"f2", b"f3", b"g1", b"nosuch", b""]

INTS = [b"0", b"1", b"-1", b"2", b"10", b"100", b"1000", b"-100", b"9223372036854775807",
        b"-9223372036854775808", b"9223372036854775808", b"18446744073709551616", b"2147483648",
        b"-2147483649", b"1.5", b"-0", b"+1", b"1e3", b"", b" 1", b"1 ", b"0x10", b"abc", b"inf", b"-inf",
        b"nan", b"3.4e38", b"1e-300", b"00", b"007", b"\x001"]
SET_OPTIONS = [b"NX", b"XX", b"GET", b"EX", b"PX", b"EXAT", b"PXAT", b"KEEPTTL", b"IFEQ", b"IFNE", b"IFDEQ",
               b"IFDNE", b"PERSIST", b"nx", b"ex", b"BOGUS"]
EXPIRE_FLAGS = [b"NX", b"XX", b"GT", b"LT", b"nx", b"BOGUS"]
INFO_SECTIONS = [b"server", b"clients", b"memory", b"stats", b"keyspace", b"cluster", b"all", b"everything",
                 b"default", b"commandstats", b"nosuch", b""]
CONFIG_PARAMS = [b"maxmemory", b"*", b"maxclients", b"timeout", b"save", b"appendonly", b"nosuch", b"*max*",
                 b"proto-max-bulk-len", b"client-query-buffer-limit"]


class Gen:
    """Random inputs from one seeded generator."""

    def __init__(self, rng):
        self.r = rng
        self._tag = TAGS[0]

    # Arguments ---------------------------------------------------------------------------
    def key(self):
        r = self.r.random()
        if r < 0.9:
            return self.r.choice(KEYS)
        return self.r.choice(JUNK_KEYS)

    def tagged(self):
        return self._tag + bytes([self.r.choice(b"abcdef")])

    def rbytes(self, n):
        return self.r.randbytes(n)

    def value(self):
        r = self.r.random()
        if r < 0.35:
            return self.r.choice(INTS)
        if r < 0.6:
            return b"v%d" % self.r.randrange(1000)
        if r < 0.85:
            return self.rbytes(self.r.randrange(0, 33))
        if r < 0.998:
            return b"x" * self.r.randrange(33, 300)
        return b"y" * self.r.randrange(4096, 65536)

    def int_(self):
        if self.r.random() < 0.7:
            return b"%d" % self.r.choice([self.r.randrange(-5, 200), self.r.randrange(0, 100000)])
        return self.r.choice(INTS)

    def seconds(self):
        if self.r.random() < 0.8:
            return b"%d" % self.r.randrange(1, 1000)
        return self.r.choice(INTS)

    def expire_options(self):
        opts = []
        for _ in range(self.r.choice([0, 0, 1, 1, 2, 3])):
            o = self.r.choice(SET_OPTIONS)
            opts.append(o)
            if o.upper() in (b"EX", b"PX"):
                opts.append(self.seconds())
            elif o.upper() in (b"EXAT", b"PXAT"):
                opts.append(self.r.choice([b"%d" % (time.time() + 100), b"1", b"%d" % (time.time() * 1000 + 5000)] + INTS))
            elif o.upper() in (b"IFEQ", b"IFNE"):
                opts.append(self.value())
            elif o.upper() in (b"IFDEQ", b"IFDNE"):
                opts.append(self.r.choice([b"0123456789abcdef", b"%016x" % self.r.getrandbits(64), b"xyz", b""]))
        return opts

    def keys(self, lo=1, hi=4, tagged=None):
        self._tag = self.r.choice(TAGS)
        if tagged is None:
            tagged = self.r.random() < 0.6
        n = self.r.randrange(lo, hi + 1)
        return [self.tagged() if tagged else self.key() for _ in range(n)]

    def field_values(self):
        out = []
        for _ in range(self.r.randrange(1, 5)):
            out += [self.r.choice(FIELDS), self.value()]
        return out

    def script_call(self, name):
        script = self.r.choice(SCRIPTS)
        if self.r.random() < 0.05:
            script = script[: self.r.randrange(len(script) + 1)]
        first = script if name in (b"EVAL", b"EVAL_RO") else self.r.choice(SCRIPT_SHAS)
        nk = self.r.choice([0, 1, 1, 1, 2, 2])
        keys = self.keys(nk, nk, tagged=self.r.random() < 0.8) if nk else []
        numkeys = b"%d" % nk if self.r.random() < 0.93 else self.r.choice([b"-1", b"5", b"x", b"2147483648", b"3"])
        return [name, first, numkeys] + keys + [self.value() for _ in range(self.r.randrange(0, 3))]

    # Commands ------------------------------------------------------------------------------
    def command(self):
        """A well-formed command (list of arguments) of a known command, or rarely an unknown one."""
        r = self.r
        k = self.key
        choice = r.randrange(100)
        if choice < 10:
            return [b"SET", k(), self.value()] + self.expire_options()
        if choice < 18:
            return [b"GET", k()]
        if choice < 21:
            return [r.choice([b"DEL", b"UNLINK", b"EXISTS"])] + self.keys(1, 4)
        if choice < 25:
            return [r.choice([b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT"]), k(), self.seconds()] + \
                ([r.choice(EXPIRE_FLAGS)] if r.random() < 0.3 else [])
        if choice < 28:
            return [r.choice([b"TTL", b"PTTL", b"EXPIRETIME", b"PEXPIRETIME", b"PERSIST", b"TYPE", b"STRLEN",
                              b"GETDEL", b"DIGEST", b"INCR", b"DECR"]), k()]
        if choice < 31:
            return [r.choice([b"INCRBY", b"DECRBY", b"INCRBYFLOAT", b"APPEND", b"GETSET", b"SETNX"]), k(),
                    r.choice([self.int_(), self.value()])]
        if choice < 33:
            return [r.choice([b"SETEX", b"PSETEX"]), k(), self.seconds(), self.value()]
        if choice < 35:
            return [r.choice([b"GETRANGE", b"SUBSTR"]), k(), self.int_(), self.int_()]
        if choice < 36:
            off = b"%d" % r.randrange(-3, 2000) if r.random() < 0.95 else r.choice([b"536870912", b"-1", b"x", b"100000"])
            return [b"SETRANGE", k(), off, self.value()]
        if choice < 38:
            return [b"GETEX", k()] + self.expire_options()
        if choice < 39:
            return [b"DELEX", k()] + r.choice([[], [b"IFEQ", self.value()], [b"IFNE", self.value()],
                                               [b"IFDEQ", b"%016x" % r.getrandbits(64)], [b"BOGUS"]])
        if choice < 42:
            keys = self.keys(1, 5)
            if r.random() < 0.5:
                return [b"MGET"] + keys
            pairs = []
            for key in keys:
                pairs += [key, self.value()]
            return [r.choice([b"MSET", b"MSETNX"])] + pairs
        if choice < 43:
            keys = self.keys(1, 3, tagged=True)
            pairs = []
            for key in keys:
                pairs += [key, self.value()]
            n = b"%d" % len(keys) if r.random() < 0.9 else self.int_()
            return [b"MSETEX", n] + pairs + self.expire_options()
        if choice < 44:
            opts = r.choice([[], [b"LEN"], [b"IDX"], [b"IDX", b"MINMATCHLEN", self.int_(), b"WITHMATCHLEN"], [b"BOGUS"]])
            return [b"LCS"] + self.keys(2, 2, tagged=True) + opts
        if choice < 52:
            h = r.choice([b"h0", b"h1", b"h2", b"h3", b"h4", b"h5"]) if r.random() < 0.85 else k()
            sub = r.randrange(14)
            if sub < 3:
                return [r.choice([b"HSET", b"HMSET"]), h] + self.field_values()
            if sub < 5:
                return [r.choice([b"HGET", b"HEXISTS", b"HSTRLEN"]), h, r.choice(FIELDS)]
            if sub < 6:
                return [r.choice([b"HMGET", b"HDEL"]), h] + [r.choice(FIELDS) for _ in range(r.randrange(1, 4))]
            if sub < 8:
                return [r.choice([b"HGETALL", b"HKEYS", b"HVALS", b"HLEN"]), h]
            if sub < 9:
                return [r.choice([b"HINCRBY", b"HINCRBYFLOAT"]), h, r.choice(FIELDS), self.int_()]
            if sub < 10:
                return [b"HSETNX", h, r.choice(FIELDS), self.value()]
            if sub < 12:
                cnt = [] if r.random() < 0.3 else [b"%d" % r.randrange(-20, 20)] + ([b"WITHVALUES"] if r.random() < 0.5 else [])
                if r.random() < 0.05:
                    cnt = [r.choice(INTS)]
                return [b"HRANDFIELD", h] + cnt
            return [b"HSCAN", h, r.choice([b"0", b"1", b"x", b"-1"])] + \
                r.choice([[], [b"MATCH", b"f*"], [b"COUNT", self.int_()], [b"NOVALUES"]])
        if choice < 57:
            return self.script_call(r.choice([b"EVAL", b"EVAL", b"EVALSHA", b"EVAL_RO", b"EVALSHA_RO"]))
        if choice < 58:
            sub = r.randrange(5)
            if sub == 0:
                return [b"SCRIPT", b"LOAD", r.choice(SCRIPTS)]
            if sub == 1:
                return [b"SCRIPT", b"EXISTS"] + [r.choice(SCRIPT_SHAS) for _ in range(r.randrange(1, 3))]
            if sub == 2 and r.random() < 0.05:
                return [b"SCRIPT", b"FLUSH"] + r.choice([[], [b"ASYNC"], [b"SYNC"]])
            return [b"SCRIPT", r.choice([b"KILL", b"HELP", b"BOGUS", b"DEBUG"])]
        if choice < 60:
            sub = r.randrange(10)
            if sub < 3:
                return [b"FCALL" if r.random() < 0.6 else b"FCALL_RO", r.choice(FUNCTIONS), b"1", self.key(), self.value()]
            if sub < 5:
                return [b"FUNCTION", b"LOAD"] + ([b"REPLACE"] if r.random() < 0.7 else []) + [r.choice(LIBRARIES)]
            if sub < 6:
                return [b"FUNCTION", b"LIST"] + r.choice([[], [b"WITHCODE"], [b"LIBRARYNAME", b"fz*"]])
            if sub < 7:
                return [b"FUNCTION", r.choice([b"STATS", b"DUMP", b"KILL", b"HELP", b"BOGUS"])]
            if sub < 8:
                return [b"FUNCTION", b"RESTORE", self.rbytes(r.randrange(0, 40))] + r.choice([[], [b"FLUSH"], [b"APPEND"], [b"REPLACE"]])
            if sub < 9 and r.random() < 0.1:
                return [b"FUNCTION", r.choice([b"FLUSH", b"DELETE"]), b"fz"]
            return [b"FUNCTION", b"DELETE", r.choice([b"fz2", b"nosuch", b""])]
        if choice < 66:
            sub = r.randrange(7)
            if sub < 2:
                return [b"MULTI"]
            if sub < 4:
                return [b"EXEC"]
            if sub < 5:
                return [b"DISCARD"]
            if sub < 6:
                return [b"WATCH"] + self.keys(1, 3)
            return [b"UNWATCH"]
        if choice < 72:
            sub = r.randrange(12)
            if sub < 3:
                return [b"PING"] + ([self.value()] if r.random() < 0.3 else [])
            if sub < 4:
                return [b"ECHO", self.value()]
            if sub < 6:
                v = [r.choice([b"2", b"3", b"1", b"4", b"x", b"-1"])] if r.random() < 0.9 else []
                if r.random() < 0.2:
                    v += [b"SETNAME", r.choice([b"fz", b"bad name", b""])]
                if r.random() < 0.1:
                    v += [b"AUTH", b"default", b"pw"]
                return [b"HELLO"] + v
            if sub < 7:
                return [b"SELECT", r.choice([b"0", b"1", b"-1", b"x", b"16"])]
            if sub < 8:
                return [b"AUTH"] + r.choice([[b"pw"], [b"default", b"pw"], []])
            if sub < 10:
                s = r.choice([b"SETNAME", b"GETNAME", b"ID", b"INFO", b"LIST", b"SETINFO", b"HELP", b"BOGUS", b"NO-EVICT"])
                extra = {b"SETNAME": [r.choice([b"fz", b"bad name", b"", b"x\n"])],
                         b"SETINFO": [r.choice([b"LIB-NAME", b"LIB-VER", b"bogus"]), b"fz"]}.get(s, [])
                return [b"CLIENT", s] + extra
            if sub < 11:
                return [b"CLUSTER", r.choice([b"SLOTS", b"KEYSLOT", b"INFO", b"NODES", b"BOGUS"])] + ([k()] if r.random() < 0.5 else [])
            return [b"OBJECT", r.choice([b"ENCODING", b"REFCOUNT", b"FREQ", b"IDLETIME", b"HELP", b"BOGUS"]), k()]
        if choice < 78:
            sub = r.randrange(12)
            if sub < 2:
                return [b"INFO"] + ([r.choice(INFO_SECTIONS)] if r.random() < 0.8 else [])
            if sub < 3:
                return [b"DBSIZE"]
            if sub < 4:
                return [b"KEYS", r.choice([b"*", b"k*", b"{t}*", b"[a-", b"\\", b"h?", b"*[^x]*"])]
            if sub < 6:
                return [b"SCAN", r.choice([b"0", b"0", b"x", b"-1", b"18446744073709551615", b"123"])] + \
                    r.choice([[], [b"MATCH", b"k*"], [b"COUNT", self.int_()], [b"TYPE", r.choice([b"hash", b"string", b"list"])]])
            if sub < 7:
                return [b"CONFIG", b"GET", r.choice(CONFIG_PARAMS)]
            if sub < 8:
                return [b"TIME"]
            if sub < 9:
                return [b"COMMAND", r.choice([b"COUNT", b"INFO", b"DOCS", b"LIST", b"BOGUS", b"GETKEYS"])] + \
                    ([r.choice([b"get", b"set", b"nosuch"])] if r.random() < 0.9 else [])
            if sub < 10 and r.random() < 0.01:
                # Rare: empties the keyspace (keeps memory bounded too).
                return [r.choice([b"FLUSHALL", b"FLUSHDB"])] + ([r.choice([b"ASYNC", b"SYNC", b"BOGUS"])] if r.random() < 0.3 else [])
            return [b"CONFIG", r.choice([b"SET", b"RESETSTAT", b"REWRITE", b"BOGUS"]), b"timeout", b"0"]
        if choice < 80:
            # Unknown and misspelt commands.
            return [r.choice([b"NOSUCH", b"GETT", b"S ET", b"", b"\x00", b"set\x00", b"SUBSCRIBE_NOT", self.rbytes(4)])] + \
                [self.value() for _ in range(r.randrange(0, 3))]
        if choice < 83:
            return [b"MEMORY", r.choice([b"USAGE", b"STATS", b"DOCTOR", b"BOGUS"]), k()]
        if choice < 86:
            return [r.choice([b"get", b"Set", b"dEl", b"incr", b"hget"]), k()] + ([self.value()] if r.random() < 0.5 else [])
        if choice < 90:
            # Wrong arity.
            name = r.choice([b"GET", b"SET", b"HSET", b"EXPIRE", b"EVAL", b"MSET", b"INCRBY", b"GETEX", b"LCS", b"FCALL",
                             b"HRANDFIELD", b"SETRANGE", b"WATCH", b"DEL", b"MULTI", b"EXEC", b"CLIENT", b"FUNCTION", b"OBJECT"])
            return [name] + [self.value() for _ in range(r.randrange(0, 2))]
        # Any of the above with random arguments in the wrong places.
        base = self.command()
        return base[:1] + [self.value() if r.random() < 0.5 else self.key() for _ in range(r.randrange(0, 6))]

    def mutate_args(self, args):
        """Argument-level mutations: the frame stays well-formed."""
        r = self.r
        args = list(args)
        for _ in range(r.randrange(1, 3)):
            op = r.randrange(6)
            i = r.randrange(len(args))
            if op == 0 and len(args) > 1:
                del args[i]
            elif op == 1:
                args.insert(i, args[i])
            elif op == 2 and i > 0:
                args[i] = self.value()
            elif op == 3:
                args.insert(r.randrange(len(args) + 1), r.choice(SET_OPTIONS + INTS[:6] + KEYS[:4]))
            elif op == 4 and i > 0:
                a = bytearray(args[i])
                if a:
                    a[r.randrange(len(a))] ^= 1 << r.randrange(8)
                args[i] = bytes(a)
            elif op == 5:
                args[0] = args[0].lower() if r.random() < 0.5 else args[0].swapcase()
        return args

    def valid_args(self):
        """A command that must get exactly one reply, and never closes (QUIT is sent apart)."""
        args = self.command()
        if self.r.random() < 0.2:
            args = self.mutate_args(args)
        return args

    # Malformed input --------------------------------------------------------------------------
    def mutated_frame(self):
        r = self.r
        data = bytearray(frame(self.command()))
        for _ in range(r.randrange(1, 4)):
            op = r.randrange(9)
            n = len(data)
            if n == 0:
                data += b"*"
                continue
            i = r.randrange(n)
            if op == 0:  # bit flip
                data[i] ^= 1 << r.randrange(8)
            elif op == 1:  # truncation
                del data[i:]
            elif op == 2:  # duplicated segment
                j = min(n, i + r.randrange(1, 32))
                data[j:j] = data[i:j]
            elif op == 3:  # deleted segment
                del data[i:i + r.randrange(1, 8)]
            elif op == 4:  # a length made wrong
                found = list(re.finditer(rb"[*$](\d+)", bytes(data)))
                if found:
                    m = r.choice(found)
                    data[m.start(1):m.end(1)] = r.choice(
                        [b"%d" % (int(m.group(1)) + r.choice([-2, -1, 1, 2, 100])), b"-5", b"-1", b"0",
                         b"2147483648", b"4294967296", b"9223372036854775807", b"99999999999999999999",
                         b"", b"x", b"1x", b" 3", b"+3", b"-0"])
            elif op == 5:  # random byte inserted
                data.insert(i, r.choice([13, 10, 0, 255, ord("*"), ord("$"), ord('"'), ord("'"), ord(" ")]))
            elif op == 6:  # CRLF damaged
                j = data.find(b"\r\n", i)
                if j >= 0:
                    data[j:j + 2] = r.choice([b"\n", b"\r", b"\r\r\n", b"", b"\n\r"])
            elif op == 7:  # junk appended
                data += self.rbytes(r.randrange(1, 16))
            else:  # type byte replaced
                j = data.find(b"$", i)
                if j >= 0:
                    data[j] = r.choice(b"*+-:%~#,(_=|>!? ")
        return bytes(data)

    def structural(self):
        r = self.r
        return r.choice([
            b"*2147483648\r\n", b"*2147483647\r\n", b"*1048577\r\n", b"*1048576\r\n", b"*-5\r\n", b"*-1\r\n", b"*0\r\n",
            b"*1\r\n$-5\r\n", b"*1\r\n$-1\r\n", b"*1\r\n$0\r\n\r\n", b"*1\r\n$600000000\r\n", b"*1\r\n$536870912\r\n",
            b"*1\r\n$536870913\r\n", b"*1\r\n$9223372036854775808\r\n", b"*2\r\n$3\r\nGET\r\n", b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n",
            b"*1\r\n*1\r\n$4\r\nPING\r\n", b"*1\r\n:1\r\n", b"*1\r\n+PING\r\n", b"*x\r\n", b"*\r\n", b"*1\r\n$\r\n",
            b"*1\r\n$4\r\nPINGXX\r\n", b"*1\r\n$4\r\nPI\r\n", b"*1\r\n$4\nPING\r\n", b"*1\n$4\nPING\n", b"*1\r$4\rPING\r",
            b"*1\r\n$4\r\nPING", b"*01\r\n$04\r\nPING\r\n", b"*+1\r\n$4\r\nPING\r\n", b"* 1\r\n$4\r\nPING\r\n",
            b"*1\r\n$4 \r\nPING\r\n", b"*99999999999999999999999\r\n", b"$4\r\nPING\r\n", b"*1\r\n$3\r\nGET\r\n" * 3,
            b"*1" + b"0" * 100 + b"\r\n", b"*1\r\n$" + b"9" * 30 + b"\r\n", b"\r\n", b"\n", b"\r", b"\r\n\r\n\r\n",
            b"*1\r\n$1\r\n\x00\r\n", b"*2\r\n$4\r\nECHO\r\n$-1\r\n", b"*1\r\n$1048577\r\n" + b"a" * 100,
        ])

    def inline(self, clean=False):
        r = self.r
        if clean:
            name = r.choice([b"PING", b"GET", b"SET", b"DEL", b"EXISTS", b"ECHO", b"DBSIZE", b"TYPE", b"TTL", b"INCR",
                             b"HGET", b"NOSUCH", b"ping", b"get"])
            toks = [name] + [r.choice(KEYS[:20]) for _ in range(r.randrange(0, 3))]
            return b" ".join(t for t in toks if t) + r.choice([b"\r\n", b"\n"])
        alphabet = b"abcSETGET \t\"'\\x0{}*$+-:\r\x00\xff123"
        line = bytes(r.choice(alphabet) for _ in range(r.randrange(0, 60)))
        if r.random() < 0.3:
            line = r.choice([b'SET "a b" "c\\x41"', b'GET "unbalanced', b"GET 'single", b'ECHO "\\xzz"',
                             b'SET a "b"c', b"SET a 'b'c", b'"', b"'", b'ECHO "\\n\\r\\t\\b\\a"', b"  ", b"\t",
                             b"SET \"\" ''", b'"\\x"']) + line[:5]
        if r.random() < 0.001:
            line = b"A" * r.randrange(65536, 70000)  # past the inline limit
        return line + r.choice([b"\r\n", b"\n", b"\r\n", b""])

    def resp3_request(self):
        r = self.r
        return r.choice([
            b"%1\r\n$3\r\nGET\r\n$1\r\nk\r\n", b"~2\r\n$3\r\nGET\r\n$1\r\nk\r\n", b"_\r\n", b"#t\r\n", b"#f\r\n",
            b",1.5\r\n", b"(12345678901234567890\r\n", b"=7\r\ntxt:abc\r\n", b"!5\r\nERROR\r\n", b">1\r\n$4\r\nPING\r\n",
            b"|1\r\n+a\r\n+b\r\n*1\r\n$4\r\nPING\r\n", b":1\r\n", b"+PING\r\n", b"-ERR\r\n", b"$4\r\nPING\r\n",
            b"*1\r\n%1\r\n+a\r\n+b\r\n", b"*2\r\n$4\r\nECHO\r\n_\r\n", b"*2\r\n$4\r\nECHO\r\n#t\r\n",
        ])

    def dirty_item(self):
        r = self.r.random()
        if r < 0.3:
            return frame(self.valid_args())
        if r < 0.6:
            return self.mutated_frame()
        if r < 0.72:
            return self.structural()
        if r < 0.82:
            return self.inline()
        if r < 0.92:
            return self.resp3_request()
        return self.rbytes(self.r.randrange(1, 512))


def frame(args):
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


# ------------------------------------------------------------------------------------------
# Replies

class Incomplete(Exception):
    pass


class BadReply(Exception):
    pass


def parse_reply(buf, pos, errors):
    """Parses one RESP2/RESP3 reply at pos; returns its end. Appends error texts (also nested) to errors."""
    nl = buf.find(b"\r\n", pos)
    if nl < 0:
        raise Incomplete()
    t = buf[pos]
    line = bytes(buf[pos + 1:nl])
    p = nl + 2
    if t in b"+:,(#_":
        return p
    if t == 45:  # '-'
        errors.append(line)
        return p
    try:
        n = int(line)
    except ValueError:
        raise BadReply("bad length %r at %d" % (line[:40], pos))
    if t in b"$=!":
        if n < 0:
            if t == 36 and n == -1:
                return p
            raise BadReply("negative blob length")
        if len(buf) < p + n + 2:
            raise Incomplete()
        if buf[p + n:p + n + 2] != b"\r\n":
            raise BadReply("blob not followed by CRLF")
        if t == 33:  # '!'
            errors.append(bytes(buf[p:p + n]))
        return p + n + 2
    if t in b"*~>%|":
        if n < 0:
            if t == 42 and n == -1:
                return p
            raise BadReply("negative aggregate length")
        count = n * 2 if t in b"%|" else n
        for _ in range(count):
            p = parse_reply(buf, p, errors)
        if t == 124:  # attribute: the reply itself follows
            p = parse_reply(buf, p, errors)
        return p
    raise BadReply("unknown reply type %r at %d" % (chr(t), pos))


# ------------------------------------------------------------------------------------------
# Error texts

INTERNAL = re.compile(rb"^ERR internal")
# Texts whose presence depends on state (so a replay may not reproduce them) or that README
# names as our documented differences from Redis (Redis Cluster's texts, one-key scripts).
ALLOWED = [re.compile(p) for p in [
    rb"^WRONGTYPE Operation against a key holding the wrong kind of value$",
    rb"^ERR value is not an integer or out of range$",
    rb"^ERR value is not a valid float$",
    rb"^ERR hash value is not an integer$",
    rb"^ERR hash value is not a float$",
    rb"^ERR increment or decrement would overflow$",
    rb"^ERR increment would produce NaN or Infinity$",
    rb"^ERR wrong number of arguments for '[^']*' command$",
    rb"^ERR syntax error$",
    rb"^ERR unknown command '",
    rb"^ERR unknown subcommand '",
    rb"^ERR Protocol error: ",
    rb"^ERR invalid expire time in '[a-z]+' command$",
    rb"^ERR string exceeds maximum allowed size \(proto-max-bulk-len\)$",
    rb"^ERR offset is out of range$",
    rb"^EXECABORT Transaction discarded because of previous errors\.$",
    rb"^ERR EXEC without MULTI$",
    rb"^ERR DISCARD without MULTI$",
    rb"^ERR MULTI calls can not be nested$",
    rb"^ERR WATCH inside MULTI is not allowed$",
    rb"^NOSCRIPT No matching script\. Please use EVAL\.$",
    rb"^ERR Function not found$",
    rb"^ERR Library '[^']*' already exists$",
    rb"^ERR Library not found$",
    rb"^ERR DB index is out of range$",
    rb"^CROSSSLOT Keys in request don't hash to the same slot$",
    rb"^TRYAGAIN ",
    rb"^CLUSTERDOWN The cluster is down$",
    rb"^ERR Script attempted to access a key that is not the key of its grain",
    rb"^ERR Script attempted to access a non local key in a cluster node",
    rb"^ERR [A-Za-z_]+ cannot run inside a transaction with keys here$",
    rb"^my error$", rb"^custom$", rb"^FINE$",
    rb"^ERR Number of keys can't be (negative|greater than number of args)$",
    rb"^ERR max number of clients reached$",
    rb"^ERR Can't execute '[a-z_|]+': only read-only commands",
    rb"^ERR Write commands are not allowed from read-only scripts",
]]


# What Redis 7.0 does not have but later versions answer in these words (the gateway speaks
# Redis 8.4's conditional string commands and 7.2's CLIENT SETINFO), and texts of Redis's own
# that depend on features or state a replay cannot reproduce.
LATER_REDIS = [re.compile(p) for p in [
    rb"^ERR must be exactly 16 hexadecimal characters$",
    rb"^ERR wrong number of key-value pairs$",
    rb"^ERR invalid numkeys value$",
    rb"^ERR Invalid condition\. Use IFEQ, IFNE, IFDEQ, or IFDNE$",
    rb"^ERR Unrecognized option '[^']*'$",
    rb"^ERR Unknown option or number of arguments for CONFIG SET - '[^']*'$",
    rb"^ERR user_script:\d+: Script attempted to access nonexistent global variable '",
    rb"^ERR Key should be of string type if conditions are specified$",
    rb"^ERR The specified keys must contain string values$",
    # Lua 5.4 (ours) and Redis's Lua 5.1 word syntax errors differently.
    rb"^ERR Error compiling script \(new function\): user_script:\d+: ",
    rb"^ERR user_script:\d+: attempt to ",
    # Documented in README: OBJECT IDLETIME is served only under an LRU policy (Redis keeps the
    # clock under every policy), and SCAN cursors are ours (Redis takes any unsigned 64-bit
    # number, even "-1").
    rb"^ERR idle time is tracked here only under an LRU maxmemory-policy",
    # State-dependent: OBJECT FREQ of a key another connection made (Redis answers the same for
    # an existing key; the replay there has no such key and answers nil).
    rb"^ERR An LFU maxmemory policy is not selected, access frequency not tracked\.",
    rb"^ERR invalid cursor$",
    # Documented in README: commands that scripts may not call answer this inside a
    # transaction with keys (Redis runs them).
    rb"^ERR This Redis command is not allowed from script$",
]]
SCRIPT_SUFFIX = re.compile(rb" script: [0-9a-f]{40}, on @user_script:\d+\.$")


def allowed(text):
    """A text from ALLOWED or LATER_REDIS, also as an error raised inside a script (Redis adds the script's sha)."""
    bare = SCRIPT_SUFFIX.sub(b"", text)
    return any(a.match(t) for a in ALLOWED + LATER_REDIS for t in (text, bare))


def normalize(text):
    """One text per kind of error: user input quoted in it, numbers and hex digests blanked."""
    t = text[:300]
    for prefix in (b"ERR unknown command", b"ERR unknown subcommand"):
        if t.startswith(prefix):
            return prefix
    t = re.sub(rb"'[^']*'", b"'_'", t)
    t = re.sub(rb"\b[0-9a-f]{40}\b", b"<sha>", t)
    t = re.sub(rb"-?\d+", b"N", t)
    return t


# ------------------------------------------------------------------------------------------
# Worker

class Worker:
    def __init__(self, index, args, quota):
        self.index = index
        self.args = args
        self.quota = quota
        self.gen = Gen(random.Random(args.seed * 1000 + index))
        self.r = self.gen.r
        self.ports = args.ports
        self.deadline = args.deadline
        self.stats = {"inputs": 0, "connections": 0, "replies": 0, "error_replies": 0, "hangs": 0, "internal": 0,
                      "bad_replies": 0, "unexpected_closes": 0, "connect_failures": 0, "kinds": {}}
        self.texts = {}      # normalized error text -> [count, sample text, sample bytes sent, protocol note]
        self.failures = []   # (kind, detail, bytes sent on the connection)
        self.sent = bytearray()
        self.last = b""
        self.sent_at = 0.0
        self.stats["slow"] = 0

    def count(self, kind, n=1):
        self.stats["inputs"] += n
        self.stats["kinds"][kind] = self.stats["kinds"].get(kind, 0) + n

    def fail(self, kind, detail):
        if len(self.failures) < 50:
            self.failures.append((kind, detail, bytes(self.sent[-1_000_000:])))

    def connect(self):
        port = self.r.choice(self.ports)
        until = time.monotonic() + self.deadline
        while True:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.settimeout(self.deadline)
            try:
                s.connect(("127.0.0.1", port))
                self.stats["connections"] += 1
                self.sent = bytearray()
                return s
            except OSError:
                s.close()
                if time.monotonic() > until:
                    self.stats["connect_failures"] += 1
                    return None
                time.sleep(0.05)

    def note_errors(self, errors):
        for e in errors:
            self.stats["error_replies"] += 1
            if INTERNAL.match(e):
                self.stats["internal"] += 1
                self.fail("internal", e.decode("latin-1"))
            key = normalize(e)
            entry = self.texts.get(key)
            if entry is None:
                self.texts[key] = [1, e[:300], bytes(self.last[-200_000:]), bytes(self.sent[-200_000:])]
            else:
                entry[0] += 1

    def send(self, s, data, split=False):
        self.sent += data
        self.last = data
        self.sent_at = time.monotonic()
        if not split:
            s.sendall(data)
            return
        pieces = self.r.randrange(2, 9)
        cuts = sorted(self.r.randrange(1, max(2, len(data))) for _ in range(pieces - 1))
        prev = 0
        for c in cuts + [len(data)]:
            if c > prev:
                s.sendall(data[prev:c])
                time.sleep(self.r.choice([0, 0, 0.0005, 0.001, 0.002]))
            prev = c

    def read_replies(self, s, buf, want):
        """Reads until `want` replies are parsed; returns (parsed, buf rest, closed)."""
        got = 0
        pos = 0
        errors = []
        until = time.monotonic() + self.deadline
        while got < want:
            try:
                end = parse_reply(buf, pos, errors)
                pos = end
                got += 1
                if time.monotonic() - self.sent_at > self.args.slow:
                    # Answered within the deadline, but slowly: counted apart, the first few kept.
                    self.stats["slow"] += 1
                    if self.stats["slow"] <= 5:
                        self.fail("slow", "a reply took %.1f s" % (time.monotonic() - self.sent_at))
                continue
            except Incomplete:
                pass
            left = until - time.monotonic()
            if left <= 0:
                raise TimeoutError()
            s.settimeout(left)
            chunk = s.recv(262144)
            if not chunk:
                self.note_errors(errors)
                return got, buf[pos:], True
            buf += chunk
        self.note_errors(errors)
        return got, buf[pos:], False

    def clean_session(self):
        s = self.connect()
        if s is None:
            return
        buf = bytearray()
        try:
            n = self.r.randrange(1, 60)
            if self.r.random() < 0.3:
                self.send(s, frame([b"HELLO", b"3"]))
                self.count("valid")
                got, buf, closed = self.read_replies(s, buf, 1)
                self.stats["replies"] += got
            done = 0
            while done < n:
                r = self.r.random()
                if r < 0.05:
                    batch = [frame(self.gen.valid_args()) for _ in range(self.r.randrange(2, 21))]
                    self.send(s, b"".join(batch))
                    kind, want = "pipelined", len(batch)
                elif r < 0.09:
                    self.send(s, self.gen.inline(clean=True))
                    kind, want = "inline", 1
                elif r < 0.095:
                    self.send(s, frame(self.gen.valid_args()), split=True)
                    kind, want = "split", 1
                else:
                    self.send(s, frame(self.gen.valid_args()))
                    kind, want = "valid", 1
                self.count(kind, want)
                done += want
                got, buf, closed = self.read_replies(s, buf, want)
                self.stats["replies"] += got
                if closed:
                    self.stats["unexpected_closes"] += 1
                    self.fail("unexpected-close", "the server closed a clean session after %d of %d replies" % (got, want))
                    return
            end = self.r.random()
            if end < 0.2:
                self.send(s, frame([b"QUIT"]))
                self.count("valid")
                got, buf, closed = self.read_replies(s, buf, 1)
                self.stats["replies"] += got
            elif end < 0.3:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except TimeoutError:
            self.stats["hangs"] += 1
            self.fail("hang", "no reply within %.0f s in a clean session" % self.deadline)
        except BadReply as e:
            self.stats["bad_replies"] += 1
            self.fail("bad-reply", str(e))
        except (ConnectionResetError, BrokenPipeError) as e:
            self.stats["unexpected_closes"] += 1
            self.fail("unexpected-close", repr(e))
        finally:
            s.close()

    def dirty_session(self):
        s = self.connect()
        if s is None:
            return
        buf = bytearray()
        try:
            if self.r.random() < 0.2:
                self.send(s, frame([b"HELLO", b"3"]))
                self.count("valid")
            for _ in range(self.r.randrange(1, 21)):
                item = self.gen.dirty_item()
                try:
                    self.send(s, item, split=self.r.random() < 0.05)
                except (ConnectionResetError, BrokenPipeError):
                    break  # the server closed after a protocol error: allowed
                self.count("dirty")
            if self.r.random() < 0.5:
                # Half the sessions give the silo a moment before the FIN: a silo that drops the
                # input read together with a FIN (found by this fuzzer) still gets to answer here.
                time.sleep(0.02)
            try:
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            # Everything until the server closes, within the deadline.
            until = time.monotonic() + self.deadline
            reset = False
            while True:
                left = until - time.monotonic()
                if left <= 0:
                    raise TimeoutError()
                s.settimeout(left)
                try:
                    chunk = s.recv(262144)
                except ConnectionResetError:
                    # The server closed with input of ours unread (a protocol error): the kernel
                    # may drop the tail of its replies, so an incomplete last reply is no fault.
                    chunk = b""
                    reset = True
                if not chunk:
                    break
                buf += chunk
            errors = []
            pos = 0
            while pos < len(buf):
                try:
                    pos = parse_reply(buf, pos, errors)
                    self.stats["replies"] += 1
                except Incomplete:
                    if reset:
                        break
                    raise BadReply("the reply stream ends inside a reply")
            self.note_errors(errors)
        except TimeoutError:
            self.stats["hangs"] += 1
            self.fail("hang", "not closed within %.0f s after the write side was shut" % self.deadline)
        except BadReply as e:
            self.stats["bad_replies"] += 1
            self.fail("bad-reply", str(e))
        finally:
            s.close()

    def half_session(self):
        s = self.connect()
        if s is None:
            return
        try:
            data = frame(self.gen.valid_args())
            data = self.r.choice([data[: self.r.randrange(1, len(data))], b"*1000\r\n", b"*2\r\n$3\r\nGET\r\n$100\r\nab",
                                  b"*1\r\n$536870912\r\n", b"SET a \"b"])
            if self.r.random() < 0.3:
                data = frame([b"MULTI"]) + frame([b"SET", b"k0", b"1"]) + data
            self.send(s, data)
            self.count("half")
            if self.r.random() < 0.5:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        finally:
            s.close()

    def flood_session(self):
        """A bulk length under proto-max-bulk-len, then data past client-query-buffer-limit: closed."""
        s = self.connect()
        if s is None:
            return
        try:
            limit = self.args.query_buffer_limit
            self.send(s, b"*2\r\n$3\r\nSET\r\n$%d\r\n" % (limit * 4))
            self.count("flood")
            chunk = b"z" * 65536
            sent = 0
            until = time.monotonic() + self.deadline
            closed = False
            while sent < limit * 2 and time.monotonic() < until:
                try:
                    s.sendall(chunk)
                    sent += len(chunk)
                except (ConnectionResetError, BrokenPipeError):
                    closed = True
                    break
            if not closed:
                s.settimeout(max(0.1, until - time.monotonic()))
                try:
                    closed = s.recv(65536) == b""
                except ConnectionResetError:
                    closed = True
                except TimeoutError:
                    closed = False
            if not closed:
                self.stats["hangs"] += 1
                self.fail("hang", "still open after %d bytes past client-query-buffer-limit" % (sent - limit))
        finally:
            s.close()

    def run(self):
        while self.stats["inputs"] < self.quota:
            r = self.r.random()
            if r < 0.0006 * self.args.flood_weight:
                self.flood_session()
            elif r < 0.45:
                self.clean_session()
            elif r < 0.98:
                self.dirty_session()
            else:
                self.half_session()
            if self.stats["connect_failures"] > 20:
                self.fail("connect", "no silo accepts connections any more")
                break


def worker_main(index, args, quota, out):
    w = Worker(index, args, quota)
    try:
        w.run()
    except Exception as e:  # a fuzzer bug: report it rather than lose the worker's figures
        w.fail("fuzzer-exception", repr(e))
        w.stats["fuzzer_exceptions"] = 1
    texts = {k: v for k, v in w.texts.items()}
    out.put((w.stats, texts, w.failures))


# ------------------------------------------------------------------------------------------
# Checks around the run

def proc_state(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            info = dict(line.split(":", 1) for line in f if ":" in line)
        return info["State"].strip()[0], int(info.get("VmRSS", "0 kB").split()[0])
    except (OSError, KeyError, ValueError):
        return "X", 0


def alive(pid):
    state, _ = proc_state(pid)
    return state not in ("X", "Z")


def command_once(port, args, deadline):
    """Sends one command on a fresh connection; returns the raw reply or None."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=deadline) as s:
            s.sendall(frame(args))
            buf = bytearray()
            until = time.monotonic() + deadline
            while True:
                try:
                    end = parse_reply(buf, 0, [])
                    return bytes(buf[:end])
                except Incomplete:
                    pass
                s.settimeout(max(0.01, until - time.monotonic()))
                chunk = s.recv(65536)
                if not chunk:
                    return None
                buf += chunk
    except (OSError, BadReply):
        return None


def established(port):
    """Server-side connections on the RESP port (ss): every state but LISTEN and TIME-WAIT, so a
    connection the client closed and the silo did not (CLOSE-WAIT) counts."""
    try:
        out = subprocess.run(["ss", "-Htan", "( sport = :%d )" % port],
                             capture_output=True, text=True, timeout=10).stdout
        return len([line for line in out.splitlines()
                    if line.strip() and line.split()[0] not in ("LISTEN", "TIME-WAIT")])
    except (OSError, subprocess.SubprocessError):
        return -1


def connected_clients(port, deadline):
    reply = command_once(port, [b"INFO", b"clients"], deadline)
    if reply is None:
        return -1
    m = re.search(rb"connected_clients:(\d+)", reply)
    # The INFO connection itself is one of them.
    return int(m.group(1)) - 1 if m else -1


def replay_on_redis(port, sample, deadline):
    """The bytes sent on one of our connections, sent to redis-server; its error texts, normalized."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=deadline) as s:
            # The state the fuzzer set up on the silos: no keys, its scripts and library loaded.
            s.sendall(frame([b"FLUSHALL"]) + frame([b"FUNCTION", b"LOAD", b"REPLACE", LIBRARY]) +
                      b"".join(frame([b"SCRIPT", b"LOAD", script]) for script in PRELOADED))
            try:
                s.sendall(sample)
                s.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            buf = bytearray()
            until = time.monotonic() + deadline
            while time.monotonic() < until:
                try:
                    chunk = s.recv(262144)
                except OSError:
                    break
                if not chunk:
                    break
                buf += chunk
    except OSError:
        return None
    errors = []
    pos = 0
    while pos < len(buf):
        try:
            pos = parse_reply(buf, pos, errors)
        except (Incomplete, BadReply):
            break
    return {normalize(e) for e in errors}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ports", required=True, help="comma-separated RESP ports of the silos")
    p.add_argument("--pids", required=True, help="comma-separated PIDs of the silos, in the same order")
    p.add_argument("--inputs", type=int, default=1000000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=6, help="worker processes, one connection at a time each")
    p.add_argument("--deadline", type=float, default=10.0, help="seconds an input may wait for its reply or the close")
    p.add_argument("--redis-port", type=int, default=0, help="redis-server to replay unknown error texts on")
    p.add_argument("--query-buffer-limit", type=int, default=4 * 1024 * 1024,
                   help="the silos' client-query-buffer-limit (the flood input sends twice this)")
    p.add_argument("--flood-weight", type=float, default=1.0)
    p.add_argument("--slow", type=float, default=1.0, help="seconds after which a reply counts as slow (not a hang)")
    p.add_argument("--label", default="run")
    p.add_argument("--out", required=True, help="JSON summary")
    p.add_argument("--failures", required=True, help="folder for the bytes of each failure found")
    args = p.parse_args()
    args.ports = [int(x) for x in args.ports.split(",")]
    pids = [int(x) for x in args.pids.split(",")]

    import hashlib
    SCRIPT_SHAS.extend(hashlib.sha1(s).hexdigest().encode() for s in SCRIPTS)
    SCRIPT_SHAS.extend([b"0" * 40, b"x", b"", b"A" * 40])

    # Scripts and the library known on every silo (and the reference redis-server) before the
    # start, so EVALSHA/FCALL often hit.
    for port in args.ports + ([args.redis_port] if args.redis_port else []):
        for s in PRELOADED:
            command_once(port, [b"SCRIPT", b"LOAD", s], args.deadline)
    for port in args.ports[:1] + ([args.redis_port] if args.redis_port else []):
        command_once(port, [b"FUNCTION", b"LOAD", b"REPLACE", LIBRARY], args.deadline)

    rss_before = [proc_state(pid)[1] for pid in pids]
    peak = list(rss_before)
    crashed = set()
    started = time.monotonic()
    queue = mp.Queue()
    quota = (args.inputs + args.workers - 1) // args.workers
    procs = [mp.Process(target=worker_main, args=(i, args, quota, queue)) for i in range(args.workers)]
    for proc in procs:
        proc.start()
    results = []
    last_report = started
    while len(results) < len(procs):
        try:
            results.append(queue.get(timeout=0.1))
        except Exception:
            pass
        for i, pid in enumerate(pids):
            state, rss = proc_state(pid)
            if state in ("X", "Z"):
                if pid not in crashed:
                    print("[%s] silo %d (pid %d) is gone" % (args.label, args.ports[i], pid), file=sys.stderr, flush=True)
                crashed.add(pid)
            else:
                peak[i] = max(peak[i], rss)
        if time.monotonic() - last_report > 15:
            last_report = time.monotonic()
            print("[%s] %.0f s, rss %s MiB" % (args.label, last_report - started,
                                              "/".join("%.0f" % (proc_state(pid)[1] / 1024) for pid in pids)),
                  file=sys.stderr, flush=True)
        if not any(proc.is_alive() for proc in procs) and queue.empty() and len(results) < len(procs):
            time.sleep(0.5)
            if queue.empty():
                break
    for proc in procs:
        proc.join(timeout=30)
    duration = time.monotonic() - started

    stats = {"inputs": 0, "connections": 0, "replies": 0, "error_replies": 0, "hangs": 0, "internal": 0,
             "bad_replies": 0, "unexpected_closes": 0, "connect_failures": 0, "fuzzer_exceptions": 0, "kinds": {}}
    texts = {}
    failures = []
    for st, tx, fl in results:
        for k, v in st.items():
            if k == "kinds":
                for kk, vv in v.items():
                    stats["kinds"][kk] = stats["kinds"].get(kk, 0) + vv
            else:
                stats[k] = stats.get(k, 0) + v
        for k, v in tx.items():
            if k in texts:
                texts[k][0] += v[0]
            else:
                texts[k] = v
        failures += fl
    if len(results) < len(procs):
        stats["fuzzer_exceptions"] += len(procs) - len(results)

    # After the run: every silo alive and answering PING on a fresh connection within the deadline.
    ping = []
    for i, pid in enumerate(pids):
        if not alive(pid):
            crashed.add(pid)
        reply = command_once(args.ports[i], [b"PING"], args.deadline)
        ping.append(reply == b"+PONG\r\n")
    # Connections left open: poll until the silos closed every connection of ours (up to the deadline).
    until = time.monotonic() + max(args.deadline, 10)
    while True:
        left_ss = [established(port) for port in args.ports]
        left_info = [connected_clients(port, args.deadline) for port in args.ports]
        if (all(x == 0 for x in left_ss) and all(x == 0 for x in left_info)) or time.monotonic() > until:
            break
        time.sleep(0.5)
    time.sleep(1)
    rss_after = [proc_state(pid)[1] for pid in pids]

    # Error texts: allowed by pattern, or given by redis-server for the same bytes.
    unknown = []
    for key, (count, sample_text, last_input, sample_bytes) in sorted(texts.items(), key=lambda kv: -kv[1][0]):
        if allowed(sample_text) or INTERNAL.match(sample_text):
            continue
        verdict = "not replayed"
        if args.redis_port:
            alone = replay_on_redis(args.redis_port, last_input, args.deadline) or set()
            if key in alone:
                continue
            session = replay_on_redis(args.redis_port, sample_bytes, args.deadline) or set()
            if key in session:
                continue
            verdict = "redis-server does not give it for the same bytes; for the input alone it says: %s" % (
                "; ".join(sorted(t.decode("latin-1")[:120] for t in alone)) or "no error")
        sample_bytes = last_input + b"\n\n(the whole connection:)\n" + sample_bytes
        unknown.append({"text": sample_text.decode("latin-1"), "count": count, "verdict": verdict,
                        "sample": sample_bytes[-2000:].decode("latin-1")})
        failures.append(("non-redis-error", sample_text.decode("latin-1"), sample_bytes))

    os.makedirs(args.failures, exist_ok=True)
    for n, (kind, detail, data) in enumerate(failures):
        base = os.path.join(args.failures, "%s-%s-%03d" % (args.label, kind, n))
        with open(base + ".bin", "wb") as f:
            f.write(data)
        with open(base + ".txt", "w") as f:
            f.write("%s: %s\nbytes sent on the connection (Python literal, last 4000):\n%r\n" % (kind, detail, data[-4000:]))

    summary = {
        "label": args.label, "silos": len(pids), "inputs": stats["inputs"], "duration_s": round(duration, 1),
        "connections": stats["connections"], "replies": stats["replies"], "error_replies": stats["error_replies"],
        "kinds": stats["kinds"],
        "crashes": len(crashed), "ping_after": ping,
        "hangs": stats["hangs"] + sum(1 for ok in ping if not ok),
        "internal_errors": stats["internal"], "non_redis_errors": sum(u["count"] for u in unknown),
        "non_redis_texts": unknown,
        "slow_replies": stats.get("slow", 0),
        "bad_replies": stats["bad_replies"], "unexpected_closes": stats["unexpected_closes"],
        "connect_failures": stats["connect_failures"], "fuzzer_exceptions": stats["fuzzer_exceptions"],
        "open_connections_ss": left_ss, "open_connections_info": left_info,
        "rss_before_kb": rss_before, "rss_peak_kb": peak, "rss_after_kb": rss_after,
        "error_texts": sorted(([v[0], k.decode("latin-1")] for k, v in texts.items()), reverse=True)[:60],
    }
    with open(args.out, "w") as f:
        json.dump(summary, f, indent=1)
    bad = (summary["crashes"] or summary["hangs"] or summary["internal_errors"] or summary["non_redis_errors"]
           or summary["bad_replies"] or summary["fuzzer_exceptions"] or summary["connect_failures"]
           or any(x != 0 for x in left_ss) or any(x != 0 for x in left_info))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
