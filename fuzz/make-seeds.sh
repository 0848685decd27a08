#!/usr/bin/env bash
# Regenerate the seed corpora fuzz/corpus/<target>/ from the project's own
# fixtures: test/zones/*.zone, the messages and header fields of sql/*.sql,
# the keys of test/zones/dkim.test.zone (private halves in test/keys/).
# Deterministic: running it twice gives the same files.  Usage:
#   fuzz/make-seeds.sh            (writes into fuzz/corpus/, replacing it)
#   fuzz/make-seeds.sh OUTDIR
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-fuzz/corpus}
rm -rf "$OUT"
mkdir -p "$OUT"
exec python3 - "$OUT" <<'PYEOF'
import os, re, struct, sys

OUT = sys.argv[1]
counts = {}


def seed(target, label, data):
    if isinstance(data, str):
        data = data.encode("latin-1")
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    n = counts.get(target, 0) + 1
    counts[target] = n
    label = re.sub(r"[^A-Za-z0-9_.-]+", "-", label)[:40]
    with open(os.path.join(d, "%03d-%s" % (n, label)), "wb") as f:
        f.write(data)


def read(p):
    with open(p, "rb") as f:
        return f.read().decode("latin-1")


# ---------------------------------------------------------------- zones
def zone_lines(path):
    """(origin, [(owner_fqdn, type, rdata, line)]) of a master file."""
    origin, out, last = "", [], ""
    for line in read(path).splitlines():
        body = line.split(";", 1)[0] if '"' not in line else line
        if not body.strip():
            continue
        if body.startswith("$ORIGIN"):
            origin = body.split()[1].rstrip(".")
            continue
        if body.startswith("$"):
            continue
        toks = body.split()
        if body[0] in " \t":
            owner = last
        else:
            o = toks.pop(0)
            owner = origin if o == "@" else (o.rstrip(".") if o.endswith(".") else o + "." + origin)
            last = owner
        while toks and (toks[0].isdigit() or toks[0] == "IN"):
            toks.pop(0)
        if not toks:
            continue
        typ = toks[0]
        rdata = body.split(typ, 1)[1].strip() if typ in body else ""
        out.append((owner.lower(), typ, rdata, line))
    return origin, out


def txt_value(rdata):
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', rdata)
    s = "".join(parts)
    s = re.sub(r"\\(\d{3})", lambda m: chr(int(m.group(1))), s)
    return re.sub(r"\\(.)", r"\1", s)


ZONES = {}
for fn in sorted(os.listdir("test/zones")):
    if fn.endswith(".zone"):
        ZONES[fn] = zone_lines(os.path.join("test/zones", fn))


def all_txt(prefix):
    for fn, (origin, lines) in ZONES.items():
        for owner, typ, rdata, line in lines:
            if typ == "TXT":
                v = txt_value(rdata)
                if v.lower().startswith(prefix):
                    yield owner, v


def closure(domain, zone_files):
    """the zone lines an evaluation of domain reaches, as zone text"""
    lines = []
    for fn in zone_files:
        lines += [(fn,) + l for l in ZONES[fn][1]]
    reach, picked = domain.lower(), []
    changed = True
    while changed:
        changed = False
        for l in lines:
            fn, owner, typ, rdata, text = l
            if l in picked or typ in ("SOA", "NS"):
                continue
            if owner in reach or owner.endswith("." + domain.lower()) or owner == domain.lower():
                picked.append(l)
                reach += " " + rdata.lower()
                changed = True
    text = []
    for fn in zone_files:
        sel = [p for p in picked if p[0] == fn]
        if sel:
            text.append("$ORIGIN %s." % ZONES[fn][0])
            text += [p[4] for p in sel]
    return "\n".join(text) + "\n"


# ---------------------------------------------------------------- SQL strings
def sql_strings(path, func):
    """the first string argument of every call of func in a SQL file"""
    s = read(path)
    out = []
    for m in re.finditer(func + r"\(\s*(E?)'((?:[^']|'')*)'", s, re.S):
        v = m.group(2).replace("''", "'")
        if m.group(1):
            v = v.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t")
        out.append(v)
    return out


def sql_messages():
    s = read("sql/dkim_verify.sql")
    return [(m.group(1), m.group(2)) for m in
            re.finditer(r"\('([a-z0-9]+)', \$m\$(.*?)\$m\$\)", s, re.S)]


MSGS = sql_messages()
CRLF = lambda m: m.replace("\r\n", "\n").replace("\n", "\r\n")

# ---------------------------------------------------------------- fuzz_dkim_verify
T = "fuzz_dkim_verify"
SEP = "\n%%ZONE%%\n"
pass_msg = dict(MSGS)["pass"]
for name, m in MSGS:
    seed(T, name + "-lf", m)
    seed(T, name + "-crlf", CRLF(m))
seed(T, "tampered", pass_msg.replace("this message is signed", "this message was changed"))
seed(T, "unsigned", re.sub(r"^DKIM-Signature:.*?\nFrom:", "From:", pass_msg, flags=re.S))
seed(T, "two-from", "From: Mallory <m@evil.test>\n" + pass_msg)
sig1024 = re.match(r"(DKIM-Signature:.*?\n)From:", dict(MSGS)["pass1024"], re.S).group(1)
seed(T, "two-signatures", sig1024 + pass_msg)
for sel in ["ed", "testing", "broken", "web", "dup", "badsyntax", "alias", "rsa512", "sha1", "revoked"]:
    seed(T, "selector-" + sel, pass_msg.replace("s=rsa2048;", "s=%s;" % sel))
seed(T, "zone-slow", pass_msg + SEP + "$SLOW 1\n")
seed(T, "zone-direct", CRLF(pass_msg) + SEP + "$DIRECT 1\n$MAXSIGS 1\n")
seed(T, "zone-policy-l", pass_msg.replace("t=1795361185;", "t=1795361185; l=10;") + SEP + "$POLICY 1\n")
seed(T, "zone-expired", pass_msg + SEP + "$NOW 1\n")
key2048 = [v for o, v in all_txt("v=dkim1") if o.startswith("rsa2048.")][0]
seed(T, "zone-own-key", pass_msg.replace("s=rsa2048;", "s=own;") + SEP +
     "$ORIGIN dkim.test.\nown._domainkey TXT \"%s\"\n" % key2048)
seed(T, "zone-servfail", pass_msg + SEP + "rsa2048._domainkey.dkim.test. TXT !servfail\n")
seed(T, "zone-cname", pass_msg + SEP + "rsa2048._domainkey.dkim.test. CNAME rsa1024._domainkey.dkim.test.\n")
seed(T, "no-separator", "DKIM-Signature: v=1; a=rsa-sha256; d=dkim.test; s=rsa2048; "
     "h=from; bh=AAAA; b=AAAA\r\nFrom: a@dkim.test\r\n")
seed(T, "garbage-signature", "DKIM-Signature: this is not a tag list\r\nFrom: a@dkim.test\r\n\r\nbody\r\n")
seed(T, "many-signatures", "DKIM-Signature: v=1; a=rsa-sha256; d=dkim.test; s=rsa2048; h=from; "
     "bh=AAAA; b=AAAA\n" * 12 + "From: a@dkim.test\n\nbody\n")
seed(T, "nul-in-body", pass_msg.replace("Hello Bob", "Hel\0lo Bob"))

# ---------------------------------------------------------------- fuzz_msg
T = "fuzz_msg"
for name, m in MSGS[:3]:
    seed(T, name, m)
seed(T, "crlf", CRLF(pass_msg))
seed(T, "from-comments", 'From: "a@b (x)" <alice@Example.COM>, (c@d) bob@example.net.\r\n'
     "Subject: hi\r\n folded\r\n\r\nbody\r\n")
seed(T, "from-group", "From: team: a@one.example, b@two.example;\nTo: x@y\n\n")
seed(T, "two-from", "From: Mallory <m@evil.test>\n" + pass_msg)
seed(T, "addr-list", 'Alice <alice@example.com>, "Bob, B." <bob@[192.0.2.1]>, (c) carol@example.net')
seed(T, "addr-words", "=?UTF-8?B?w6lsb2TDqWU=?= <e@example.org>, =?iso-8859-1?q?caf=E9?= <c@xn--caf-dma.example>")
seed(T, "hdrcheck", "From: a@example.com\r\nFrom: b@example.com\r\nReply-To: r@example.net\r\n"
     "Date: Sun, 31 Feb 2026 25:61:00 +9999\r\nMessage-ID: <no-at>\r\nSubject: =?utf-8?b?!!?=\r\n\r\n")
for v in sql_strings("sql/authres.sql", "parse_authentication_results"):
    if ":" in v.split("\n", 1)[0] and v.split(":", 1)[0].replace("-", "").isalnum():
        seed(T, "authres-msg", v)

# ---------------------------------------------------------------- fuzz_authres
T = "fuzz_authres"
for v in sql_strings("sql/authres.sql", "parse_authentication_results"):
    if len(v) < 4000:
        seed(T, "sql", v)
seed(T, "arc", "i=1; mx.example.com; dkim=pass header.d=example.org; arc=none")
seed(T, "ms", "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=none "
     "(message not signed) header.d=none;dmarc=bestguesspass action=none header.from=example.com;"
     "compauth=pass reason=109")
seed(T, "msg", "From mbox line\nReceived-SPF: softfail (x) client-ip=192.0.2.1;\n"
     "ARC-Authentication-Results: i=1; x; spf=pass\nAuthentication-Results: a.example 1; "
     "auth=pass smtp.auth=\"user@example\"; iprev=pass policy.iprev=192.0.2.1\n\nbody")
seed(T, "utf8", "mx.example; dkim=pass header.i=@\xc3\xa9xample.org reason=\"caf\xc3\xa9\"")

# ---------------------------------------------------------------- fuzz_spf_record
T = "fuzz_spf_record"
seen = set()
for owner, v in all_txt("v=spf1"):
    if v not in seen and len(v) < 2000:
        seen.add(v)
        seed(T, owner.split(".")[0], v)
seed(T, "macros", "v=spf1 exists:%{ir}.%{l1r+-}.%{d2}._spf.%{o} a:%{h} mx:%{v}.%{s} -all "
     "exp=%{p}.exp.%{d}")
seed(T, "exp-text", "%{i} is not one of %{d}'s senders %% %_ %- %{c} %{r} %{t}")
seed(T, "modifiers", "v=spf1 ip6:2001:db8::/32 ip4:192.0.2.0/24 a/24//64 mx:example.com/28 "
     "ptr:example.org ?include:x.test ~all redirect=other.test foo=%{d}")
seed(T, "includes", "v=spf1 include:one.fuzz.test include:fuzz.test -all\n;;\n"
     "v=spf1 include:two.fuzz.test a:void.test\n;;\nv=spf1 redirect=three.fuzz.test\n;;\n"
     "v=spf1 mx:fail.test exists:slow.test ?all")
seed(T, "lookups", "v=spf1 " + " ".join("include:i%d.test" % i for i in range(12)) + " -all")

# ---------------------------------------------------------------- fuzz_spf_eval
T = "fuzz_spf_eval"
spf_calls = re.findall(r"spf_verify\('([^']*)',\s*(NULL|'[^']*')(?:,\s*'([^']*)')?\)",
                       read("sql/spf.sql"))
done = set()
for ip, sender, helo in spf_calls:
    sender = "" if sender == "NULL" else sender.strip("'")
    dom = sender.rsplit("@", 1)[1] if "@" in sender else (helo or "")
    key = (ip, sender, helo)
    if key in done or not dom:
        continue
    done.add(key)
    files = ["spf.test.zone"] + (["zendesk.com.zone"] if "zd" in dom else [])
    text = "$IP %s\n$FROM %s\n$HELO %s\n" % (ip, sender or "-", helo or "mx.example.test")
    text += closure(dom, files)
    if len(text) < 3000:
        seed(T, dom.split(".")[0] + "-" + ip, text)
seed(T, "native-ptr", "$IP 192.0.2.1\n$ENGINE native\n$ORIGIN spf.test.\n"
     "user TXT \"v=spf1 ptr:spf.test -all\"\n"
     "1.2.0.192.in-addr.arpa. PTR mail.spf.test.\nmail A 192.0.2.1\n$FROM x@user.spf.test\n")
seed(T, "spf2-exp", "$ENGINE spf2\n$FROM a@e.test\n$ORIGIN test.\ne TXT \"v=spf1 -all exp=x.e.test\"\n"
     "x.e TXT \"%{l} at %{d} from %{i} via %{h}: %{c} %{r}\"\n")
seed(T, "errors", "$IP 2001:db8::1\n$FROM a@e.test\n$ORIGIN test.\n"
     "e TXT \"v=spf1 a:s.test mx:t.test include:n.test ip6:2001:db8::/32 -all\"\n"
     "s ANY !servfail\nt MX 10 m.test.\nm AAAA !timeout\nn TXT \"v=spf1 ?all\"\n")
seed(T, "cname", "$FROM a@c.test\n$ORIGIN test.\nc CNAME d.test.\nd TXT \"v=spf1 a -all\"\n"
     "d A 192.0.2.1\n*.w TXT \"v=spf1 +all\"\n")

# ---------------------------------------------------------------- fuzz_dmarc_record
T = "fuzz_dmarc_record"
recs = sorted(set(v for o, v in all_txt("v=dmarc1")))
for v in recs:
    seed(T, "zone", v)
seed(T, "org", "v=DMARC1; p=reject; sp=quarantine; np=none\n;;\n"
     "v=DMARC1; p=quarantine; psd=y; t=y; rua=mailto:a@fuzz.test!10m\n;;\n"
     "v=DMARC1; p=none\n;;\nsub.Mail.Fuzz.Test.")
seed(T, "all-tags", "v=DMARC1; p=reject; sp=none; adkim=s; aspf=s; pct=37; fo=0:1:d:s; "
     "rf=afrf:iodef; ri=3600; rua=mailto:a@x.test,https://r.example/x; ruf=mailto:f@x.test")
seed(T, "spacing", "V = DMARC1 ;p = Quarantine ;; pct=abc; adkim=x; unknown=1 ;")
seed(T, "psl-name", "\n;;\n\n;;\n\n;;\nwww.example.co.uk")

# ---------------------------------------------------------------- fuzz_dkimkey
T = "fuzz_dkimkey"
keys = [v for o, v in all_txt("v=dkim1")] + [v for o, v in all_txt("k=rsa")]
for v in keys:
    seed(T, "zone", v)
seed(T, "two-records", keys[0] + "\n;;\n" + keys[1])
seed(T, "tags", "v=DKIM1; g=*; h=sha256:sha1:md5; k=rsa; n=note; s=email:*:web; t=y:s:x; p=")
seed(T, "ed25519-bad", "v=DKIM1; k=ed25519; p=AAAA")
seed(T, "not-dkim", "v=spf1 -all")

# ---------------------------------------------------------------- fuzz_dnswire
T = "fuzz_dnswire"
QTYPES = [1, 2, 5, 6, 12, 15, 16, 28, 33, 257, 41, 99, 255]
QNAMES = ["www.example.com", "example.com", "2.0.0.192.in-addr.arpa", "sel._domainkey.dkim.test"]


def wname(n):
    if n in ("", "."):
        return b"\0"
    return b"".join(bytes([len(l)]) + l.encode("latin-1") for l in n.split(".")) + b"\0"


def rr(owner, typ, rdata, ttl=300):
    o = b"\xc0\x0c" if owner is None else wname(owner)
    return o + struct.pack(">HHIH", typ, 1, ttl, len(rdata)) + rdata


def txt_rdata(s):
    b = s.encode("latin-1")
    return b"".join(bytes([len(b[i:i + 255])]) + b[i:i + 255] for i in range(0, max(len(b), 1), 255))


def packet(qname, qtype, answers, auth=(), rcode=0):
    h = struct.pack(">HHHHHH", 0x1234, 0x8180 | rcode, 1, len(answers), len(auth), 0)
    return h + wname(qname) + struct.pack(">HH", qtype, 1) + b"".join(answers) + b"".join(auth)


def frame_body(answers, auth=(), flags=0x8180):
    return struct.pack(">HHHH", flags, len(answers), len(auth), 0) + b"".join(answers) + b"".join(auth)


def wire_seed(label, qt, qn, packets, framed=False):
    b = bytes([QTYPES.index(qt), (1 if framed else 0) | (QNAMES.index(qn) << 1)])
    for p in packets:
        b += struct.pack(">H", len(p)) + p
    seed(T, label, b)


soa = wname("ns1.mailauth.test") + wname("hostmaster.mailauth.test") + struct.pack(">IIIII", 1, 3600, 600, 86400, 300)
spf_txt = [v for o, v in all_txt("v=spf1")]
q = "www.example.com"
wire_seed("a", 1, q, [packet(q, 1, [rr(None, 1, bytes([192, 0, 2, 1])), rr(None, 1, bytes([192, 0, 2, 2]))])])
wire_seed("aaaa", 28, q, [packet(q, 28, [rr(None, 28, bytes(15) + b"\1")])])
wire_seed("txt", 16, q, [packet(q, 16, [rr(None, 16, txt_rdata(spf_txt[0])), rr(None, 16, txt_rdata(spf_txt[-1]))])])
wire_seed("txt-long", 16, q, [packet(q, 16, [rr(None, 16, txt_rdata(max(spf_txt, key=len)))])])
wire_seed("mx", 15, "example.com", [packet("example.com", 15, [rr(None, 15, b"\0\x0a" + wname("mail.example.com")), rr(None, 15, b"\0\0\0")])])
wire_seed("ns", 2, "example.com", [packet("example.com", 2, [rr(None, 2, b"\3ns1\xc0\x0c")])])
wire_seed("soa", 6, "example.com", [packet("example.com", 6, [rr(None, 6, soa)])])
wire_seed("ptr", 12, "2.0.0.192.in-addr.arpa", [packet("2.0.0.192.in-addr.arpa", 12, [rr(None, 12, wname("mail.example.com"))])])
wire_seed("srv", 33, q, [packet(q, 33, [rr(None, 33, struct.pack(">HHH", 10, 5, 443) + wname("srv.example.com"))])])
wire_seed("caa", 257, "example.com", [packet("example.com", 257, [rr(None, 257, b"\0\5issueletsencrypt.org"), rr(None, 257, b"\x80\5iodefmailto:x\"\\\1")])])
wire_seed("nxdomain-soa", 16, q, [packet(q, 16, [], [rr("example.com", 6, soa)], rcode=3)])
wire_seed("nodata", 16, q, [packet(q, 16, [], [rr("example.com", 6, soa)])])
wire_seed("servfail", 16, q, [packet(q, 16, [], rcode=2)])
wire_seed("cname-in", 16, q, [packet(q, 16, [rr(None, 5, wname("b.example.com")), rr("b.example.com", 16, txt_rdata("v=spf1 -all"))])])
wire_seed("cname-out", 1, q, [packet(q, 1, [rr(None, 5, wname("b.example.net"))]),
                              packet("b.example.net", 1, [rr(None, 1, bytes([192, 0, 2, 9]))])])
wire_seed("cname-loop", 1, q, [packet(q, 1, [rr(None, 5, wname("b.example.com")), rr("b.example.com", 5, wname(q))])])
wire_seed("dkim-key", 16, "sel._domainkey.dkim.test", [packet("sel._domainkey.dkim.test", 16,
          [rr(None, 16, txt_rdata([v for o, v in all_txt("v=dkim1")][0]))])])
wire_seed("compressed", 15, "example.com", [packet("example.com", 15, [rr(None, 15, b"\0\x0a\4mail\xc0\x0c")])])
wire_seed("escapes", 12, "2.0.0.192.in-addr.arpa", [packet("2.0.0.192.in-addr.arpa", 12, [rr(None, 12, b"\5a.b\\c\3\"@$\0")])])
wire_seed("framed-txt", 16, q, [frame_body([rr(None, 16, txt_rdata("v=spf1 ip4:192.0.2.0/24 -all"))])], framed=True)
wire_seed("framed-cname", 28, q, [frame_body([rr(None, 5, wname("x.example.org"))]),
                                  frame_body([rr(None, 28, bytes(16))])], framed=True)
wire_seed("framed-mx", 15, "example.com", [frame_body([rr(None, 15, b"\0\1\xc0\x0c"), rr(None, 15, b"\0\2\3mx2\xc0\x0c")])], framed=True)
wire_seed("framed-soa-auth", 6, "example.com", [frame_body([], [rr(None, 6, soa)], flags=0x8183)], framed=True)
wire_seed("framed-opt", 41, q, [frame_body([rr(None, 41, b"")])], framed=True)

# ---------------------------------------------------------------- fuzz_addr
T = "fuzz_addr"
addr = re.search(r"unnest\(ARRAY\[(.*?)\]\) a,", read("sql/address.sql"), re.S).group(1)
for m in re.finditer(r"'((?:[^']|'')*)'", addr):
    v = m.group(1).replace("''", "'")
    if v:
        seed(T, "sql", v.encode("utf-8") if any(ord(c) > 255 for c in v) else v)
for v in sql_strings("sql/address.sql", "parse_address_list"):
    seed(T, "list", v)
seed(T, "route", "<@relay.example:jane@example.com>")
seed(T, "spaces-comment", "jane . doe @ example . com (Jane)")
seed(T, "group-empty", "undisclosed-recipients:;")
seed(T, "ipv6-literal", "x@[IPv6:2001:db8::1]")
seed(T, "words", "=?UTF-8?B?SsO8cmdlbg==?= <juergen@b\xc3\xbccher.example>, =?ISO-8859-1?Q?J=FCrgen?= <j@xn--bcher-kva.example>")
seed(T, "nested-comments", "(" * 200 + "a@b.example" + ")" * 200)

# ---------------------------------------------------------------- fuzz_dsn, fuzz_hdrcheck
FIXTURES = sorted(f for f in os.listdir("test/dsn/fixtures") if f.endswith(".eml"))
for T in ("fuzz_dsn", "fuzz_hdrcheck"):
    for fn in FIXTURES:
        seed(T, fn, read(os.path.join("test/dsn/fixtures", fn)))
T = "fuzz_hdrcheck"
for name, m in MSGS[:2]:
    seed(T, "signed-" + name, m)
hdrs = re.search(r"INSERT INTO hdrs VALUES(.*?);\n", read("sql/address.sql"), re.S)
if hdrs:
    for m in re.finditer(r"\('([a-z_0-9]+)', E'((?:[^']|'')*)'\)", hdrs.group(1)):
        v = m.group(2).replace("''", "'").replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t")
        seed(T, m.group(1), v)
seed(T, "field-entry", "Subject\n=?utf-8?q?caf=C3=A9?= and a very long value " + "x" * 120)
T = "fuzz_dsn"
seed(T, "bare-diagnostic", "550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in virtual mailbox table")
seed(T, "bare-status", "Status: 4.4.7 (delivery time expired)")

# ---------------------------------------------------------------- fuzz_trust
T = "fuzz_trust"
trust_zone = read("test/zones/trust.test.zone")
rev4 = read("test/zones/2.0.192.in-addr.arpa.zone")
rev6 = read("test/zones/8.b.d.0.1.0.0.2.ip6.arpa.zone")
cases = [("192.0.2.100", "mx.trust.test", "trust.test"), ("192.0.2.101", "nofwd.trust.test", "trust.test"),
         ("192.0.2.102", "192-0-2-102.dyn.trust.test", "other.test"), ("192.0.2.103", "[192.0.2.103]", ""),
         ("192.0.2.108", "localhost", ""), ("192.0.2.110", "mailserver", "nomx.trust.test"),
         ("192.0.2.111", "bad_name!.trust.test", ""), ("192.0.2.120", "elsewhere.trust.test", "trust.test"),
         ("2001:db8:0:7::25", "[IPv6:2001:db8:0:7::25]", "trust.test"), ("2001:db8:0:7::27", "v6only.trust.test", ""),
         ("::ffff:192.0.2.109", "dsl-pool.trust.test", "trust.test")]
for ip, helo, dom in cases:
    d = "$IP %s\n$HELO %s\n" % (ip, helo)
    if dom:
        d += "$DOMAIN %s\n" % dom
    d += "$ZONES bl.trust.test,pub.trust.test,dead.trust.test\n$NAME zendesk1._domainkey.good.setup.test\n$TYPE CNAME\n"
    d += "$EXPECT zendesk1._domainkey.zendesk.com\n$MATCH exact\n"
    seed(T, ip.replace(":", "_") + "-" + helo, d + trust_zone + "\n$ORIGIN .\n" + rev4 + "\n" + rev6)
seed(T, "expect-pattern", "$IP 192.0.2.1\n$HELO x\n$NAME a.test\n$TYPE TXT\n$EXPECT v=spf1 *include:*\n$MATCH pattern\n"
     "a.test. TXT \"v=spf1 include:one.test include:two.test -all\"\n")
seed(T, "expect-contains-mx", "$NAME m.test\n$TYPE MX\n$EXPECT 10 mx.m.test\n$MATCH contains\nm.test. MX 10 mx.m.test.\n"
     "m.test. MX 20 MX2.M.TEST.\n")
seed(T, "idn-names", "$IP 2001:db8::1\n$HELO b\xc3\xbccher.example\n$DOMAIN xn--bcher-kva.example\n$NAME \xe2\x98\x83.example\n")
seed(T, "dnsbl-codes", "$IP 192.0.2.1\n$ZONES bl.test,bl2.test\n1.2.0.192.bl.test. A 127.0.0.2\n"
     "1.2.0.192.bl.test. A 127.0.0.4\n1.2.0.192.bl.test. TXT \"listed: see http://bl.test/?192.0.2.1\"\n"
     "1.2.0.192.bl2.test. A 127.255.255.254\n$DOMAIN spam.test\nspam.test.bl.test. A 127.0.1.2\n")
seed(T, "failures", "$IP 192.0.2.9\n$HELO h.test\n$DOMAIN d.test\n$ZONES z.test\n9.2.0.192.in-addr.arpa. PTR h.test.\n"
     "h.test. A !servfail\nd.test. MX !timeout\n9.2.0.192.z.test. ANY !refused\n")

# ---------------------------------------------------------------- fuzz_report
T = "fuzz_report"
setup_zone = read("test/zones/setup.test.zone")
for dom in ("good.setup.test", "partial.setup.test", "m365.setup.test", "nomail.setup.test"):
    seed(T, dom, "$DOMAIN %s\n" % dom + setup_zone)
seed(T, "dmarcbis", "$DOMAIN a.b.fuzz.test\n$MODE dmarcbis\n_dmarc.fuzz.test. TXT \"v=DMARC1; p=reject; psd=n\"\n"
     "a.b.fuzz.test. MX 0 .\n")
seed(T, "all-records", "$ORIGIN fuzz.test.\n@ TXT \"v=spf1 include:_spf.fuzz.test mx a:x.fuzz.test ~all\"\n"
     "_spf TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n@ MX 10 mx1\n@ MX 20 mx2\nmx1 A 192.0.2.1\n"
     "_dmarc TXT \"v=DMARC1; p=quarantine; rua=mailto:d@fuzz.test\"\n"
     "_mta-sts TXT \"v=STSv1; id=20260101\"\n_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:t@fuzz.test\"\n"
     "default._bimi TXT \"v=BIMI1; l=https://fuzz.test/logo.svg\"\n"
     "sel._domainkey TXT \"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\"\n"
     "google._domainkey CNAME sel._domainkey.fuzz.test.\n")
seed(T, "duplicates-failures", "$ORIGIN fuzz.test.\n@ TXT \"v=spf1 -all\"\n@ TXT \"v=spf1 +all\"\n"
     "_mta-sts TXT \"v=STSv1; id=1\"\n_mta-sts TXT \"v = stsv1 ; id=2\"\n_smtp._tls ANY !servfail\n"
     "@ MX !timeout\n_dmarc TXT \"v=DMARC1; p=bogus\"\n")
seed(T, "tree", "$ORIGIN fuzz.test.\n*.fuzz.test. TXT \"v=spf1 include:a.%{d} include:b.%{d} -all\"\n"
     "@ TXT \"v=spf1 include:a.fuzz.test include:b.fuzz.test include:c.fuzz.test -all\"\n"
     "a TXT \"v=spf1 include:aa.fuzz.test include:ab.fuzz.test include:ac.fuzz.test -all\"\n")

for t in sorted(counts):
    print("%-20s %3d seeds" % (t, counts[t]))
PYEOF
