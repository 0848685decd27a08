#!/usr/bin/python3
"""Print the DKIM-signed test messages embedded in sql/dkim.sql (dkimpy,
Debian python3-dkim), signed with the keys of this folder (t= is the signing time)."""
import os
import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = (b"From: Alice <alice@dkim.test>\r\n"
        b"To: Bob <bob@example.test>\r\n"
        b"Subject: a signed test message\r\n"
        b"Date: Sun, 22 Nov 2026 12:00:00 +0000\r\n"
        b"Message-ID: <fixture-1@dkim.test>\r\n"
        b"\r\n"
        b"Hello Bob,\r\nthis message is signed.\r\n")


def sign(selector, key, algo=b"rsa-sha256", canon=(b"relaxed", b"relaxed")):
    with open(os.path.join(HERE, key), "rb") as f:
        priv = f.read()
    sig = dkim.sign(BASE, selector.encode(), b"dkim.test", priv,
                    canonicalize=canon, signature_algorithm=algo,
                    include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return sig + BASE


for name, sel, key, algo in [("pass", "rsa2048", "rsa2048.pem", b"rsa-sha256"),
                             ("pass1024", "rsa1024", "rsa1024.pem", b"rsa-sha256"),
                             ("sha1", "rsa2048", "rsa2048.pem", b"rsa-sha1"),
                             ("missing", "missing", "rsa2048.pem", b"rsa-sha256"),
                             ("revoked", "revoked", "rsa2048.pem", b"rsa-sha256")]:
    print("-- %s" % name)
    print(sign(sel, key, algo).decode().replace("\r\n", "\n"))
