# One client of the partition linearizability test, run inside a test host's network namespace:
# random SET, SET NX, GET, DEL and SET IFEQ on a few keys until the time is up, one JSON line per
# operation (CLOCK_MONOTONIC nanoseconds, shared by every process of the machine). An error reply
# or a lost connection is recorded as unknown and the client backs off; on a lost connection it
# moves on to the next silo address.
# Usage: partition_worker.py ADDRESSES(comma) SECONDS CLIENT KEYS(comma) OUTPUT
import json
import random
import sys
import time

import redis

addresses = sys.argv[1].split(",")
seconds = float(sys.argv[2])
client = int(sys.argv[3])
keys = sys.argv[4].split(",")
rnd = random.Random(client)
seen = {}
sequence = 0
current = 0


def connect():
    return redis.Redis(host=addresses[current], port=6379, socket_timeout=6, socket_connect_timeout=2)


conn = connect()
end = time.monotonic() + seconds
with open(sys.argv[5], "w") as out:
    while time.monotonic() < end:
        key = rnd.choice(keys)
        sequence += 1
        value = f"{client}-{sequence}"
        pick = rnd.randrange(10)
        expected = None
        if pick < 3:
            op, args = "get", ("GET", key)
        elif pick < 5:
            op, args = "set", ("SET", key, value)
        elif pick < 6:
            op, args = "setnx", ("SET", key, value, "NX")
        elif pick < 7:
            op, args = "del", ("DEL", key)
        elif key in seen:
            op, expected = "setifeq", seen[key]
            args = ("SET", key, value, "IFEQ", expected)
        else:
            op, args = "get", ("GET", key)
        record = {"c": client, "k": key, "op": op, "v": None if op in ("get", "del") else value, "e": expected, "i": time.monotonic_ns()}
        try:
            reply = conn.execute_command(*args)
            record["t"] = time.monotonic_ns()
            record["o"] = "ok"
            if reply is None:
                record["r"] = {"kind": "nil"}
            elif reply is True or reply == b"OK":
                record["r"] = {"kind": "ok"}
                if op != "del":
                    seen[key] = value
            elif isinstance(reply, int):
                record["r"] = {"kind": "int", "n": reply}
            else:
                record["r"] = {"kind": "bulk", "text": reply.decode()}
                seen[key] = reply.decode()
        except redis.exceptions.ResponseError as error:
            record["o"] = "unknown"
            record["err"] = str(error)[:60]
            # Back off, as a client would: every unknown write multiplies the checker's search.
            time.sleep(0.3)
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as error:
            record["o"] = "unknown"
            record["err"] = type(error).__name__
            current = (current + 1) % len(addresses)
            conn = connect()
            time.sleep(0.3)
        out.write(json.dumps(record) + "\n")
