// bench/dkim_peers/npm_mailauth_bench.js: verify one message N times with the
// npm package mailauth's dkimVerify (bench/dkim.sh).  No DNS: the resolver
// function returns the key's TXT record from memory.
//
//   node npm_mailauth_bench.js NPM-DIR MESSAGE-FILE TXT-RECORD N REPS
//
// One untimed run of N, then REPS timed runs (one verification after the
// other); prints "version X" and "rep K N SECONDS pass=P other=O".
'use strict';
const path = require('path');
const fs = require('fs');
const [dir, file, txt, ns, repss] = process.argv.slice(2);
const { dkimVerify } = require(path.join(dir, 'node_modules/mailauth/lib/dkim/verify'));
const pkg = require(path.join(dir, 'node_modules/mailauth/package.json'));
const msg = Buffer.from(fs.readFileSync(file, 'latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
const n = Number(ns), reps = Number(repss);
const resolver = async (name, type) => {
    if (type === 'TXT') return [[txt]];
    const e = new Error('no data'); e.code = 'ENODATA'; throw e;
};
(async () => {
    console.log(`version mailauth ${pkg.version}, node ${process.version}`);
    for (let r = 0; r <= reps; r++) {
        const t0 = process.hrtime.bigint();
        let ok = 0;
        for (let i = 0; i < n; i++) {
            const res = await dkimVerify(msg, { resolver });
            if (res.results.length === 1 && res.results[0].status.result === 'pass') ok++;
        }
        const t = Number(process.hrtime.bigint() - t0) / 1e9;
        if (r) console.log(`rep ${r} ${n} ${t.toFixed(6)} pass=${ok} other=${n - ok}`);
    }
})().catch((e) => { console.error(e); process.exit(1); });
