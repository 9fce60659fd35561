"""A misbehaving HTTP server for the regression tests: ``python misbehaving_server.py MODE PORT``.

Started by a test as its own process on 127.0.0.1 and stopped by its pid. Each mode answers every
request the same bad way:

- ``drip``: a 200 answer whose body arrives one byte every 0.2 s, forever (a per-read timeout never fires);
- ``drip-headers``: the status line and headers themselves arrive one byte every 0.2 s, forever;
- ``huge``: a 200 answer streamed without Content-Length, as fast as possible, with no end;
- ``huge-length``: announces a 500 MB Content-Length (and sends a little);
- ``truncated``: announces 5000 bytes, sends 40, closes (IncompleteRead);
- ``truncated-chunked``: a chunked answer cut in the middle of a chunk;
- ``retry-after``: HTTP 503 with ``Retry-After: 100000``;
- ``sink``: accepts connections and records that one was made (for SERVICE tests), answering nothing.

Every connection is written to stdout as a line ``CONNECTED``, so a test can tell whether a request
was made at all.
"""
from __future__ import annotations

import socket
import sys
import threading
import time


def _read_request(conn: socket.socket) -> bytes:
    conn.settimeout(5)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                n = int(line.split(b":")[1])
                while len(body) < n:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    body += chunk
    except OSError:
        pass
    return data


def handle(mode: str, conn: socket.socket) -> None:
    try:
        _read_request(conn)
        if mode == "drip":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n")
            while True:
                conn.sendall(b" ")
                time.sleep(0.2)
        elif mode == "drip-headers":
            for b in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100000:
                conn.sendall(bytes([b]))
                time.sleep(0.2)
        elif mode == "huge":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                         b"Connection: close\r\n\r\n")
            conn.sendall(b'{"head":{"vars":["x"]},"results":{"bindings":[')
            row = b'{"x":{"type":"literal","value":"' + b"y" * 1000 + b'"}},'
            block = row * 1000
            while True:
                conn.sendall(block)
        elif mode == "huge-length":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                         b"Content-Length: 500000000\r\n\r\n{")
            time.sleep(5)
        elif mode == "truncated":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                         b"Content-Length: 5000\r\n\r\n" + b'{"head":{"vars":["x"]},"results":{"bi')
        elif mode == "truncated-chunked":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n" + b"1000\r\n" + b'{"head":{"vars":["x"]}')
        elif mode == "retry-after":
            conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 100000\r\nContent-Length: 4\r\n"
                         b"Connection: close\r\n\r\nbusy")
        elif mode == "sink":
            time.sleep(2)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main() -> None:
    mode, port = sys.argv[1], int(sys.argv[2])
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    print("READY", flush=True)
    while True:
        conn, _ = srv.accept()
        print("CONNECTED", flush=True)
        threading.Thread(target=handle, args=(mode, conn), daemon=True).start()


if __name__ == "__main__":
    main()
