#!/usr/bin/env python3
"""Announces a 256 MB MQTT PUBLISH to a running gateway and reports its RSS before and after (docs/performance.md).

Usage: scripts/oversize-packet.py <gateway pid> <mqtt port> [connections]
Each connection sends a CONNECT (MQTT 3.1.1), then a PUBLISH fixed header whose Remaining Length is 268,435,455
(0xFF 0xFF 0xFF 0x7F, MQTT 3.1.1 section 2.2.3), then trickles a byte every 50 ms until the gateway closes it.
"""
import socket, sys, time

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

pid, port = int(sys.argv[1]), int(sys.argv[2])
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
before = rss_kib(pid)
closed_after = []
for i in range(count):
    cid = f"big{i}".encode()
    s = socket.create_connection(("127.0.0.1", port))
    body = b"\x00\x04MQTT\x04\x02\x00\x3c" + len(cid).to_bytes(2, "big") + cid
    s.sendall(bytes([0x10, len(body)]) + body)
    assert s.recv(4)[:2] == b"\x20\x02", "no CONNACK"
    s.sendall(b"\x32\xff\xff\xff\x7f")
    s.settimeout(0.05)
    start, trickled = time.monotonic(), 0
    while time.monotonic() - start < 30:
        try:
            if s.recv(1) == b"":
                break
        except socket.timeout:
            pass
        except ConnectionError:
            break
        try:
            s.sendall(b"a"); trickled += 1
        except (BrokenPipeError, ConnectionError):
            break
    closed_after.append((time.monotonic() - start, trickled))
    s.close()
after = rss_kib(pid)
print(f"connections: {count}, announced: {count * 256} MB, closed after (s, bytes trickled): "
      f"max {max(c[0] for c in closed_after):.3f} s / {max(c[1] for c in closed_after)} B")
print(f"RSS before: {before / 1024:.1f} MiB, after: {after / 1024:.1f} MiB, growth: {(after - before) / 1024:.1f} MiB")
