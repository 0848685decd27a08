#!/usr/bin/env node
// npm_mailauth_bench: SPF evaluations per second with the npm package mailauth.
//
// For bench/spf.sh.  Evaluates the policy of SENDER for N client IPs
// PREFIX1 .. PREFIX200 (round robin), REPS times, one evaluation after the
// other (each awaited before the next), against the DNS server 127.0.0.1:PORT.
// MODDIR is the directory whose node_modules holds mailauth (bench/spf.sh
// installs it in a temporary directory under /tmp).
//
//   mode dns    spf() as it is used, with the resolver option (async
//               (name, rrtype) => records) backed by a dns.promises.Resolver
//               with setServers(['127.0.0.1:PORT']); neither mailauth's spf()
//               nor node's Resolver caches, so every evaluation sends its queries
//   mode memo   that resolver memoized in this driver (a Map of promises,
//               filled by the first evaluations): the cost of the evaluation
//               alone, with no DNS; not the package's own behaviour
// Each run starts with N evaluations that are not timed (the warm-up).
//
// usage: node npm_mailauth_bench.js MODDIR PORT MODE SENDER PREFIX N REPS
// Prints "version ...", then one line per rep: "rep K N SECONDS RESULT=COUNT..."
'use strict';
const path = require('path');
const { Resolver } = require('dns').promises;

const [moddir, port, mode, sender, prefix, nStr, repsStr] = process.argv.slice(2);
const n = parseInt(nStr, 10);
const reps = parseInt(repsStr, 10);
const { spf } = require(path.join(moddir, 'node_modules', 'mailauth', 'lib', 'spf'));
const version = require(path.join(moddir, 'node_modules', 'mailauth', 'package.json')).version;

const dnsResolver = new Resolver({ timeout: 2000, tries: 1 });
dnsResolver.setServers([`127.0.0.1:${port}`]);
let resolver = async (name, rr) => dnsResolver.resolve(name, rr);
if (mode === 'memo') {
    const memo = new Map();
    const real = resolver;
    resolver = (name, rr) => {
        const key = name.toLowerCase() + '|' + rr;
        if (!memo.has(key)) memo.set(key, real(name, rr));
        return memo.get(key);
    };
} else if (mode !== 'dns') {
    console.error('mode must be dns or memo');
    process.exit(2);
}

async function evaluate(ip) {
    const r = await spf({ sender, ip, helo: 'mx.example', mta: 'mx.bench.test', resolver });
    return r.status.result;
}

(async () => {
    console.log(`version mailauth ${version} (npm), Node.js ${process.version}`);
    // warm-up, not timed: fills the memo in mode memo, and lets V8 compile
    for (let i = 0; i < n; i++) await evaluate(prefix + ((i % 200) + 1));
    for (let rep = 1; rep <= reps; rep++) {
        const counts = {};
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) {
            const res = await evaluate(prefix + ((i % 200) + 1));
            counts[res] = (counts[res] || 0) + 1;
        }
        const t = Number(process.hrtime.bigint() - t0) / 1e9;
        const c = Object.keys(counts).sort().map(k => `${k}=${counts[k]}`).join(' ');
        console.log(`rep ${rep} ${n} ${t.toFixed(6)} ${c}`);
    }
})().catch(err => {
    console.error(err);
    process.exit(1);
});
