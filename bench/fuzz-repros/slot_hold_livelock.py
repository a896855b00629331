#!/usr/bin/env python3
"""Found by bench/fuzz.sh: single-key commands on a key stall for seconds, and multi-key
commands on its slot answer TRYAGAIN, while two or more multi-key commands over that slot run
at once. One silo is enough; no cluster, nothing moving.

It shows on a silo that has had some traffic on the slot: start a silo, run
  python3 bench/fuzz.py --ports PORT --pids PID --inputs 20000 --seed 2 --out /tmp/f.json --failures /tmp/f
(about 10 s), then this script. A FLUSHALL in between does not help, and a slot the fuzzer
never touched ({x}) shows only waits of 0.2 s (the hold's drain limit). On a fresh silo it did
not show in our tries. What the script does first (a script call on the key, which the fuzzer
also does often):
  *4\\r\\n$4\\r\\nEVAL\\r\\n$34\\r\\nreturn redis.call('GET', KEYS[1])\\r\\n$1\\r\\n1\\r\\n$4\\r\\n{t}a\\r\\n
Likely mechanism (SlotTurn.RunAsync / SlotTable.TryHoldAsync): the SET has entered the slot and
waits for its key's grain turn, which waits while the slot is held; a hold waits up to its drain
limit for the SET, gives way, and another MGET's hold takes the slot before the SET's turn runs;
the holders take turns and the SET starves until a 5 s wait runs out (TRYAGAIN).

Then, for 10 s, one connection sends, again and again,  *3\\r\\n$3\\r\\nSET\\r\\n$4\\r\\n{t}a\\r\\n$1\\r\\nx\\r\\n
three others send, again and again,      *3\\r\\n$4\\r\\nMGET\\r\\n$4\\r\\n{t}a\\r\\n$4\\r\\n{t}b\\r\\n
(EVAL over two keys of the slot, or MSET, in place of MGET does the same). Against redis-server
every reply comes within milliseconds; here replies take 5 s and more (up to 15 s seen) and some
MGETs answer "-TRYAGAIN ...". With one MGET connection, or without the SET connection, it does
not happen.

Usage: python3 bench/fuzz-repros/slot_hold_livelock.py PORT   (exit 1 when a reply took over 1 s)
"""
import multiprocessing as mp
import socket
import sys
import time

SET = b"*3\r\n$3\r\nSET\r\n$4\r\n{t}a\r\n$1\r\nx\r\n"
ACTIVATE = b"*4\r\n$4\r\nEVAL\r\n$34\r\nreturn redis.call('GET', KEYS[1])\r\n$1\r\n1\r\n$4\r\n{t}a\r\n"
MGET = b"*3\r\n$4\r\nMGET\r\n$4\r\n{t}a\r\n$4\r\n{t}b\r\n"


def whole(reply):
    """True when reply is one whole reply: a line ("+OK", "-TRYAGAIN ...") or an array of bulks."""
    lines = reply.split(b"\r\n")
    if not reply.endswith(b"\r\n"):
        return False
    if not reply.startswith(b"*"):
        return True
    count, i = int(lines[0][1:]), 1
    for _ in range(count):
        if i >= len(lines) - 1:
            return False
        i += 1 if lines[i] == b"$-1" else 2
    return i <= len(lines) - 1


def loop(port, request, seconds, results):
    s = socket.create_connection(("127.0.0.1", port))
    worst, slow, tryagain = 0.0, 0, 0
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        started = time.monotonic()
        s.sendall(request)
        reply = s.recv(65536)
        while not whole(reply):
            reply += s.recv(65536)
        took = time.monotonic() - started
        worst = max(worst, took)
        slow += took > 1
        tryagain += reply.startswith(b"-TRYAGAIN")
    results.put((request.split(b"\r\n")[2].decode(), worst, slow, tryagain))


def main():
    port = int(sys.argv[1])
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(ACTIVATE)
        s.recv(65536)
    results = mp.Queue()
    procs = [mp.Process(target=loop, args=(port, r, 10, results)) for r in (SET, MGET, MGET, MGET)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    bad = False
    for _ in procs:
        name, worst, slow, tryagain = results.get()
        print(f"{name}: worst reply {worst:.2f} s, {slow} over 1 s, {tryagain} TRYAGAIN")
        bad |= slow > 0
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
