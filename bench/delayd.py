#!/usr/bin/python3
"""delayd: a DNS responder that answers every query after a fixed delay.

For the benchmarks (bench/run.sh): it stands in for a remote resolver with a
round-trip time of --delay-ms, on loopback.  The delay never blocks other
queries: each answer is scheduled with loop.call_later, so 1,000 queries sent
at once all come back after about --delay-ms.

  type A, class IN   one A record 198.18.X.Y (X.Y from a hash of the name),
                     TTL 3600
  any other type     NOERROR, no answer, an SOA in the authority section
                     (TTL 60; the zone is the last two labels of the name)
  opcode != QUERY    NOTIMP;  class != IN: REFUSED;  malformed: FORMERR
  EDNS               an OPT in the query is answered with an OPT (UDP size
                     1232); an EDNS version other than 0 gets BADVERS

With --spf (bench/spf.sh), TXT queries under spf.bench.test are answered
with a three-level SPF policy per name (TTL 3600); every other query is
answered as above:

  <L>.spf.bench.test     "v=spf1 include:i1.<L>.spf.bench.test -all"
  i1.<L>.spf.bench.test  "v=spf1 include:i2.<L>.spf.bench.test ~all"
  i2.<L>.spf.bench.test  "v=spf1 ip4:192.0.2.0/24 -all"

(<L> one label, e.g. d17; other TXT names under spf.bench.test are NODATA).

Header: the ID, opcode and RD bit are copied, QR and AA set, the question
echoed byte for byte.  UDP and TCP on the same port.

usage: delayd.py [--host 127.0.0.1] [--port 5300] [--delay-ms 20] [--spf]
Prints "ready" on stdout once listening; on SIGTERM/SIGINT prints counters
on stderr and exits 0.  Python 3 standard library only.
"""

import argparse
import asyncio
import hashlib
import signal
import socket
import struct
import sys

T_A, T_SOA, T_TXT, T_OPT = 1, 6, 16, 41
C_IN = 1
R_NOERROR, R_FORMERR, R_NOTIMP, R_REFUSED = 0, 1, 4, 5
EDNS_UDPSIZE = 1232


class FormErr(Exception):
    pass


def parse_name(msg, off):
    """Read an uncompressed name at off; returns (list of label bytes, end)."""
    labels = []
    total = 1
    while True:
        if off >= len(msg):
            raise FormErr("name runs past the end")
        n = msg[off]
        if n == 0:
            return labels, off + 1
        if n & 0xC0:
            raise FormErr("compression or extended label in the question")
        if off + 1 + n > len(msg):
            raise FormErr("label runs past the end")
        total += n + 1
        if total > 255:
            raise FormErr("name too long")
        labels.append(msg[off + 1:off + 1 + n])
        off += 1 + n


def skip_name(msg, off):
    """Skip a possibly compressed name; returns the offset after it."""
    for _ in range(128):
        if off >= len(msg):
            raise FormErr("name runs past the end")
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            if off + 2 > len(msg):
                raise FormErr("pointer runs past the end")
            return off + 2
        if n & 0xC0:
            raise FormErr("extended label type")
        off += 1 + n
    raise FormErr("name has too many labels")


def skip_rrs(msg, off, count, want_opt=False):
    """Skip count RRs; returns (offset, OPT ttl field or None)."""
    opt_ttl = None
    for _ in range(count):
        off = skip_name(msg, off)
        if off + 10 > len(msg):
            raise FormErr("record header runs past the end")
        rtype, _rclass, ttl, rdlen = struct.unpack_from("!HHIH", msg, off)
        off += 10 + rdlen
        if off > len(msg):
            raise FormErr("rdata runs past the end")
        if want_opt and rtype == T_OPT:
            if opt_ttl is not None:
                raise FormErr("two OPT records")
            opt_ttl = ttl
    return off, opt_ttl


def synth_a(labels):
    h = hashlib.blake2s(b".".join(labels).lower(), digest_size=2).digest()
    return bytes([198, 18, h[0], h[1]])


SPF_ZONE = [b"spf", b"bench", b"test"]


def synth_spf(labels):
    """The SPF policy of a name under spf.bench.test (--spf), or None."""
    low = [l.lower() for l in labels]
    if low[-3:] != SPF_ZONE:
        return None
    base = b".".join(labels[-4:]) if len(labels) >= 4 else None
    if len(labels) == 4:
        return b"v=spf1 include:i1." + base + b" -all"
    if len(labels) == 5 and low[0] == b"i1":
        return b"v=spf1 include:i2." + base + b" ~all"
    if len(labels) == 5 and low[0] == b"i2":
        return b"v=spf1 ip4:192.0.2.0/24 -all"
    return None


def txt_rdata(text):
    """TXT rdata: the text as character-strings of at most 255 bytes."""
    chunks = [text[i:i + 255] for i in range(0, len(text), 255)] or [b""]
    return b"".join(bytes([len(c)]) + c for c in chunks)


class Responder:
    def __init__(self, delay_ms, spf=False):
        self.delay = delay_ms / 1000.0
        self.spf = spf
        self.received = 0
        self.answered = 0
        self.errors = 0

    def answer(self, msg):
        """The response to one query (bytes), or None to drop it."""
        self.received += 1
        if len(msg) < 12:
            self.errors += 1
            return None
        qid, flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", msg, 0)
        if flags & 0x8000:
            self.errors += 1
            return None                     # a response: never answer those
        opcode = (flags >> 11) & 0xF
        rd = flags & 0x0100

        def header(rcode, nq, nan, nns, nar):
            f = 0x8000 | (opcode << 11) | 0x0400 | rd | (rcode & 0xF)
            return struct.pack("!HHHHHH", qid, f, nq, nan, nns, nar)

        if opcode != 0:
            return header(R_NOTIMP, 0, 0, 0, 0)
        try:
            if qd != 1:
                raise FormErr("QDCOUNT is not 1")
            labels, off = parse_name(msg, 12)
            if off + 4 > len(msg):
                raise FormErr("question runs past the end")
            qtype, qclass = struct.unpack_from("!HH", msg, off)
            qend = off + 4
            off, _ = skip_rrs(msg, qend, an + ns)
            off, opt_ttl = skip_rrs(msg, off, ar, want_opt=True)
        except FormErr:
            self.errors += 1
            return header(R_FORMERR, 0, 0, 0, 0)
        question = msg[12:qend]

        opt = b""
        if opt_ttl is not None:
            version = (opt_ttl >> 16) & 0xFF
            if version != 0:
                # BADVERS = 16: upper 8 bits of the 12-bit rcode go in the OPT
                opt = b"\0" + struct.pack("!HHIH", T_OPT, EDNS_UDPSIZE, 1 << 24, 0)
                self.answered += 1
                return header(0, 1, 0, 0, 1) + question + opt
            opt = b"\0" + struct.pack("!HHIH", T_OPT, EDNS_UDPSIZE, 0, 0)
        nar = 1 if opt else 0

        if qclass != C_IN:
            self.answered += 1
            return header(R_REFUSED, 1, 0, 0, nar) + question + opt

        self.answered += 1
        if qtype == T_A:
            rr = struct.pack("!HHHIH", 0xC00C, T_A, C_IN, 3600, 4) + synth_a(labels)
            return header(R_NOERROR, 1, 1, 0, nar) + question + rr + opt
        if qtype == T_TXT and self.spf:
            text = synth_spf(labels)
            if text is not None:
                rdata = txt_rdata(text)
                rr = struct.pack("!HHHIH", 0xC00C, T_TXT, C_IN, 3600, len(rdata)) + rdata
                return header(R_NOERROR, 1, 1, 0, nar) + question + rr + opt

        # NODATA: an SOA of the zone (the last two labels) in authority,
        # its owner a pointer into the echoed question
        zl = labels[-2:] if len(labels) >= 2 else labels
        zoff = 12 + sum(len(l) + 1 for l in labels[:len(labels) - len(zl)])
        owner = struct.pack("!H", 0xC000 | zoff)
        rdata = (b"\x02ns" + owner +                       # ns.<zone>
                 b"\x0ahostmaster" + owner +               # hostmaster.<zone>
                 struct.pack("!IIIII", 1, 3600, 600, 86400, 60))
        soa = owner + struct.pack("!HHIH", T_SOA, C_IN, 60, len(rdata)) + rdata
        return header(R_NOERROR, 1, 0, 1, nar) + question + soa + opt


class UDPServer(asyncio.DatagramProtocol):
    def __init__(self, resp, loop):
        self.resp = resp
        self.loop = loop
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        out = self.resp.answer(data)
        if out is not None:
            self.loop.call_later(self.resp.delay, self.send, out, addr)

    def send(self, out, addr):
        if not self.transport.is_closing():
            self.transport.sendto(out, addr)

    def error_received(self, exc):
        pass


def tcp_handler(resp, loop):
    async def handle(reader, writer):
        try:
            while True:
                hdr = await reader.readexactly(2)
                (n,) = struct.unpack("!H", hdr)
                msg = await reader.readexactly(n)
                out = resp.answer(msg)
                if out is None:
                    continue

                def send(out=out):
                    if not writer.is_closing():
                        writer.write(struct.pack("!H", len(out)) + out)
                loop.call_later(resp.delay, send)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            # let answers still scheduled go out before closing
            await asyncio.sleep(resp.delay + 0.01)
            writer.close()
    return handle


async def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=5300)
    ap.add_argument("--delay-ms", type=float, default=20.0)
    ap.add_argument("--spf", action="store_true",
                    help="answer TXT queries under spf.bench.test with SPF policies")
    args = ap.parse_args()

    loop = asyncio.get_running_loop()
    resp = Responder(args.delay_ms, args.spf)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # bursts of a thousand queries must not overflow the receive buffer
    for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
        try:
            sock.setsockopt(socket.SOL_SOCKET, opt, 4 << 20)
        except OSError:
            pass
    sock.bind((args.host, args.port))
    transport, _ = await loop.create_datagram_endpoint(
        lambda: UDPServer(resp, loop), sock=sock)
    server = await asyncio.start_server(tcp_handler(resp, loop), args.host, args.port,
                                        reuse_address=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    server.close()
    transport.close()
    print("delayd: %d queries received, %d answered, %d malformed or dropped"
          % (resp.received, resp.answered, resp.errors), file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
