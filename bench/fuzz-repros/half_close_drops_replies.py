#!/usr/bin/env python3
"""Found by bench/fuzz.sh: a client that sends its commands and at once shuts its write side
(what `printf 'PING\\r\\n' | nc -N host port` does) gets no reply at all: the silo closes the
connection without running them. redis-server answers every command, then closes.

Bytes: *1\\r\\n$4\\r\\nPING\\r\\n (or the inline PING\\r\\n), then shutdown(SHUT_WR) right away.
Expected (redis-server 7.0.15): +PONG\\r\\n then EOF. Seen here: EOF only. With a pause of
0.3 s between the send and the shutdown the silo answers +PONG.

Usage: python3 bench/fuzz-repros/half_close_drops_replies.py PORT   (exit 1 when no reply came)
"""
import socket
import sys

port = int(sys.argv[1])
with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
    s.sendall(b"*1\r\n$4\r\nPING\r\n")
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while chunk := s.recv(65536):
        reply += chunk
print(repr(reply))
sys.exit(0 if reply == b"+PONG\r\n" else 1)
