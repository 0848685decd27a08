#!/usr/bin/env node
// npm_audit: the domain audit of bench/audit.sh done with the npm package
// mailauth, a pool of POOL domains at a time.
//
// For each domain the same checks domain_report() makes: SPF (mailauth's
// spf() for postmaster@DOMAIN from 192.0.2.1, following the includes), the
// DMARC record (mailauth's getDmarcRecord(), organizational-domain fallback
// included), MX, a TXT lookup for each DKIM selector of SELECTORS (the npm
// package has no selector discovery), MTA-STS (mailauth's resolvePolicy()),
// TLS-RPT and BIMI (default._bimi TXT).  The resolver option is a
// dns.promises.Resolver on SERVER (host:port; no cache in either).
//
//   mode serial     each check of a domain awaited in turn (how the package's
//                   one-call-per-check API reads in a script)
//   mode parallel   all checks of a domain started at once (Promise.all):
//                   a domain costs its longest chain (SPF's includes)
//
// usage: node npm_audit.js MODDIR SERVER MODE POOL N SELECTORS(comma-separated)
// Domains are d1.audit.test .. dN.audit.test.  Prints "version ...", then
// "done N SECONDS spf_pass=.. dmarc=.. mx=.. dkim=.. mta_sts=.. tls_rpt=.. bimi=.. errors=..".
'use strict';
const path = require('path');
const { Resolver } = require('dns').promises;

const [moddir, server, mode, poolStr, nStr, selStr] = process.argv.slice(2);
const pool = parseInt(poolStr, 10);
const n = parseInt(nStr, 10);
const selectors = selStr.split(',');
const lib = p => require(path.join(moddir, 'node_modules', 'mailauth', 'lib', p));
const { spf } = lib('spf');
const getDmarcRecord = lib('dmarc/get-dmarc-record');
const { resolvePolicy } = lib('mta-sts.js');
const version = require(path.join(moddir, 'node_modules', 'mailauth', 'package.json')).version;

const dnsResolver = new Resolver({ timeout: 30000, tries: 1 });
dnsResolver.setServers([server]);
const resolver = async (name, rr) => dnsResolver.resolve(name, rr);

const counts = { spf_pass: 0, dmarc: 0, mx: 0, dkim: 0, mta_sts: 0, tls_rpt: 0, bimi: 0, errors: 0 };
const absent = e => e && (e.code === 'ENOTFOUND' || e.code === 'ENODATA');
async function txt(name) {
    try {
        return (await resolver(name, 'TXT')).map(r => r.join(''));
    } catch (e) {
        if (absent(e)) return [];
        throw e;
    }
}

function checks(d) {
    return [
        async () => {
            const r = await spf({ sender: `postmaster@${d}`, ip: '192.0.2.1', helo: d, mta: 'audit.bench', resolver });
            if (r.status.result === 'pass') counts.spf_pass++;
        },
        async () => {
            const r = await getDmarcRecord(d, resolver);
            if (r && r.p) counts.dmarc++;
        },
        async () => {
            try {
                if ((await resolver(d, 'MX')).length) counts.mx++;
            } catch (e) {
                if (!absent(e)) throw e;
            }
        },
        ...selectors.map(s => async () => {
            if ((await txt(`${s}._domainkey.${d}`)).some(t => /^v=DKIM1/i.test(t) || /p=/.test(t))) counts.dkim++;
        }),
        async () => {
            if (await resolvePolicy(d, { resolver })) counts.mta_sts++;
        },
        async () => {
            if ((await txt(`_smtp._tls.${d}`)).some(t => /^v=TLSRPTv1/i.test(t))) counts.tls_rpt++;
        },
        async () => {
            if ((await txt(`default._bimi.${d}`)).some(t => /^v=BIMI1/i.test(t))) counts.bimi++;
        }
    ];
}

async function audit(d) {
    const cs = checks(d);
    try {
        if (mode === 'parallel') await Promise.all(cs.map(c => c()));
        else for (const c of cs) await c();
    } catch (e) {
        counts.errors++;
    }
}

(async () => {
    console.log(`version mailauth ${version} (npm), Node.js ${process.version}`);
    let next = 1;
    const t0 = process.hrtime.bigint();
    const worker = async () => {
        while (next <= n) {
            const i = next++;
            await audit(`d${i}.audit.test`);
        }
    };
    await Promise.all(Array.from({ length: pool }, worker));
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`done ${n} ${secs.toFixed(3)} ` + Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' '));
})().catch(e => {
    console.error(e);
    process.exit(1);
});
