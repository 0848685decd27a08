/* mailauth--0.1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION mailauth" to load this file. \quit

-- The schema is usable by every role; functions that send DNS queries are
-- not executable by PUBLIC (see the end of this file and the README).
GRANT USAGE ON SCHEMA @extschema@ TO PUBLIC;

CREATE FUNCTION @extschema@.version()
RETURNS text
AS 'MODULE_PATHNAME', 'mailauth_version'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.version() IS
'version of the mailauth library loaded in this backend';

---------------------------------------------------------------------------
-- DNS
---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.dns_lookup(name text, rrtype text DEFAULT 'A',
    OUT name text, OUT rrtype text, OUT ttl integer, OUT data text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dns_lookup'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000 ROWS 4;
COMMENT ON FUNCTION @extschema@.dns_lookup(text, text) IS
'DNS records of one name and type (A, AAAA, CNAME, MX, NS, PTR, SOA, TXT, SRV, CAA); NXDOMAIN and NODATA give no rows, failures raise SQLSTATE MA00x';

CREATE FUNCTION @extschema@.dns_lookup(names text[], rrtype text DEFAULT 'A',
    OUT query text, OUT status text, OUT name text, OUT rrtype text,
    OUT ttl integer, OUT data text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dns_lookup_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.dns_lookup(text[], text) IS
'concurrent DNS lookup of many names: one row per record, or one row with the status and NULL data; never raises for one name''s failure';

CREATE FUNCTION @extschema@.mx_lookup(domain text,
    OUT preference integer, OUT exchange text, OUT ttl integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_mx_lookup'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000 ROWS 3;
COMMENT ON FUNCTION @extschema@.mx_lookup(text) IS
'MX records of a domain ordered by preference then exchange; a null MX (RFC 7505) is one row with exchange "."';

CREATE FUNCTION @extschema@.mx_lookup(domains text[],
    OUT domain text, OUT preference integer, OUT exchange text, OUT ttl integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_mx_lookup_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.mx_lookup(text[]) IS
'mx_lookup for many domains at once, with concurrent DNS: the rows of each domain (as given) in input order; NULL elements skipped';

CREATE FUNCTION @extschema@.ptr_lookup(ip inet, OUT name text, OUT ttl integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_ptr_lookup'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000 ROWS 1;
COMMENT ON FUNCTION @extschema@.ptr_lookup(inet) IS
'PTR names of an IPv4 (in-addr.arpa) or IPv6 (ip6.arpa) address';

-- ptr_lookup('192.0.2.1'): a literal is ambiguous between inet and inet[],
-- so a text overload takes it
CREATE FUNCTION @extschema@.ptr_lookup(ip text, OUT name text, OUT ttl integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_ptr_lookup_text'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000 ROWS 1;
COMMENT ON FUNCTION @extschema@.ptr_lookup(text) IS
'ptr_lookup(inet) of an address written as text';

CREATE FUNCTION @extschema@.ptr_lookup(ips inet[], OUT ip inet, OUT name text, OUT ttl integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_ptr_lookup_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.ptr_lookup(inet[]) IS
'ptr_lookup for many addresses at once, with concurrent DNS: the rows of each address in input order; NULL elements skipped';

CREATE FUNCTION @extschema@.dns_cache_stats(
    OUT entries bigint, OUT max_entries bigint, OUT memory_bytes bigint,
    OUT hits bigint, OUT misses bigint, OUT expired bigint, OUT evictions bigint,
    OUT lookups bigint, OUT queries_sent bigint, OUT answers bigint,
    OUT timeouts bigint, OUT nxdomain bigint, OUT nodata bigint,
    OUT servfail bigint, OUT refused bigint, OUT formerr bigint,
    OUT errors bigint, OUT cname_follows bigint, OUT interrupts bigint,
    OUT shared_hits bigint, OUT shared_misses bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'mailauth_dns_cache_stats'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.dns_cache_stats() IS
'counters of this backend''s DNS cache and resolver since the last dns_cache_reset(); shared_hits/shared_misses: this backend''s lookups in the shared cache';

CREATE FUNCTION @extschema@.dns_cache_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'mailauth_dns_cache_reset'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.dns_cache_reset() IS
'empty this backend''s DNS cache and zero its counters';

CREATE FUNCTION @extschema@.dns_shared_cache_stats(
    OUT enabled boolean, OUT entries bigint, OUT capacity bigint, OUT slot_size bigint,
    OUT memory_bytes bigint, OUT hits bigint, OUT misses bigint, OUT inserts bigint,
    OUT evictions bigint, OUT expired bigint, OUT too_big bigint,
    OUT lock_acquisitions bigint, OUT lock_waits bigint, OUT partitions integer)
RETURNS record
AS 'MODULE_PATHNAME', 'mailauth_dns_shared_cache_stats'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.dns_shared_cache_stats() IS
'the DNS cache all backends share (mailauth in shared_preload_libraries): size, counters since server start or dns_shared_cache_reset(), lock acquisitions and waits';

CREATE FUNCTION @extschema@.dns_shared_cache_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'mailauth_dns_shared_cache_reset'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.dns_shared_cache_reset() IS
'empty the shared DNS cache and zero its counters, for every backend (not executable by PUBLIC)';
REVOKE EXECUTE ON FUNCTION @extschema@.dns_shared_cache_reset() FROM PUBLIC;

-- Functions that send DNS queries: granted explicitly, never to PUBLIC.
REVOKE EXECUTE ON FUNCTION @extschema@.dns_lookup(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.dns_lookup(text[], text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.mx_lookup(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.mx_lookup(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.ptr_lookup(inet) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.ptr_lookup(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.ptr_lookup(inet[]) FROM PUBLIC;

---------------------------------------------------------------------------
-- SPF
---------------------------------------------------------------------------

CREATE TYPE @extschema@.spf_result AS (
    result text,          -- pass, fail, softfail, neutral, none, temperror, permerror
    explanation text,     -- the exp= text of a fail; for none/temperror/permerror, why
    mechanism text,       -- the term that decided, e.g. '-all', 'include:_spf.example.com'
    domain text,          -- the domain whose policy decided
    received_spf text,    -- a ready Received-SPF header value
    dns_lookups integer,  -- DNS-querying terms, counted as RFC 7208 section 4.6.4 counts them
    void_lookups integer  -- lookups that returned no records (limit 2)
);
COMMENT ON TYPE @extschema@.spf_result IS 'the outcome of an RFC 7208 check_host() evaluation';

CREATE FUNCTION @extschema@.spf_verify(ip inet, sender text, helo text DEFAULT NULL)
RETURNS @extschema@.spf_result
AS 'MODULE_PATHNAME', 'mailauth_spf_verify'
LANGUAGE C VOLATILE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.spf_verify(inet, text, text) IS
'RFC 7208 SPF check of a sender: the MAIL FROM identity, or postmaster@helo when the sender is empty or NULL';

REVOKE EXECUTE ON FUNCTION @extschema@.spf_verify(inet, text, text) FROM PUBLIC;

-- spf_verify('192.0.2.1', 'a@example.com'): a literal address is ambiguous
-- between inet and inet[], so a text overload takes it
CREATE FUNCTION @extschema@.spf_verify(ip text, sender text, helo text DEFAULT NULL)
RETURNS @extschema@.spf_result
AS 'MODULE_PATHNAME', 'mailauth_spf_verify_text'
LANGUAGE C VOLATILE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.spf_verify(text, text, text) IS
'spf_verify(inet, text, text) of an address written as text';
REVOKE EXECUTE ON FUNCTION @extschema@.spf_verify(text, text, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.spf_verify(ips inet[], senders text[], helos text[] DEFAULT NULL,
    OUT ip inet, OUT sender text, OUT helo text,
    OUT result text, OUT explanation text, OUT mechanism text, OUT domain text,
    OUT received_spf text, OUT dns_lookups integer, OUT void_lookups integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_spf_verify_many'
LANGUAGE C VOLATILE PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.spf_verify(inet[], text[], text[]) IS
'spf_verify for many (ip, sender, helo) at once, with concurrent DNS: parallel arrays (one element: for every row), one row per input in input order; a NULL ip skips the row';
REVOKE EXECUTE ON FUNCTION @extschema@.spf_verify(inet[], text[], text[]) FROM PUBLIC;

-- The sending services customers authorize in SPF, and which of their
-- includes are current.  Extensible: INSERT your own rows (source 'user');
-- pg_dump keeps the rows you add, CREATE EXTENSION brings back the seeds.
CREATE TABLE @extschema@.sending_services (
    service      text NOT NULL,
    spf_include  text PRIMARY KEY CHECK (spf_include = lower(spf_include) AND spf_include !~ '\.$'),
    status       text NOT NULL DEFAULT 'current' CHECK (status IN ('current', 'deprecated')),
    replacement  text,
    note         text,
    source       text NOT NULL DEFAULT 'user' CHECK (source IN ('mailauth', 'user'))
);
COMMENT ON TABLE @extschema@.sending_services IS
'sending services and the SPF includes they ask customers to publish; spf_check reports deprecated ones';
GRANT SELECT ON @extschema@.sending_services TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sending_services', 'WHERE source = ''user''');

INSERT INTO @extschema@.sending_services (service, spf_include, status, replacement, note, source) VALUES
  ('Zendesk', 'mail.zendesk.com', 'current', NULL, 'the include Zendesk asks for', 'mailauth'),
  ('Zendesk', 'smtp.zendesk.com', 'deprecated', 'mail.zendesk.com', 'older Zendesk include', 'mailauth'),
  ('Zendesk', 'support.zendesk.com', 'deprecated', 'mail.zendesk.com', 'older Zendesk include', 'mailauth'),
  ('Google Workspace', '_spf.google.com', 'current', NULL, NULL, 'mailauth'),
  ('Google Workspace', 'aspmx.googlemail.com', 'deprecated', '_spf.google.com', 'legacy Google Apps include', 'mailauth'),
  ('Microsoft 365', 'spf.protection.outlook.com', 'current', NULL, NULL, 'mailauth'),
  ('Microsoft 365', 'spf.messaging.microsoft.com', 'deprecated', 'spf.protection.outlook.com', 'legacy Exchange Online include', 'mailauth'),
  ('SendGrid', 'sendgrid.net', 'current', NULL, NULL, 'mailauth'),
  ('Amazon SES', 'amazonses.com', 'current', NULL, NULL, 'mailauth'),
  ('Mailgun', 'mailgun.org', 'current', NULL, NULL, 'mailauth'),
  ('Mailgun', 'eu.mailgun.org', 'current', NULL, 'EU region', 'mailauth'),
  ('Postmark', 'spf.mtasv.net', 'current', NULL, NULL, 'mailauth'),
  ('Salesforce', '_spf.salesforce.com', 'current', NULL, NULL, 'mailauth'),
  ('Mailchimp', 'servers.mcsv.net', 'current', NULL, NULL, 'mailauth'),
  ('Mandrill', 'spf.mandrillapp.com', 'current', NULL, NULL, 'mailauth'),
  ('Freshdesk', 'email.freshdesk.com', 'current', NULL, NULL, 'mailauth'),
  ('Help Scout', 'helpscoutemail.com', 'current', NULL, NULL, 'mailauth'),
  ('SparkPost', 'sparkpostmail.com', 'current', NULL, NULL, 'mailauth'),
  ('Zoho Mail', 'zoho.com', 'current', NULL, NULL, 'mailauth');

CREATE TYPE @extschema@.spf_summary AS (
    domain text,
    record text,           -- the domain's own SPF record
    status text,           -- ok, none, permerror (the policy is broken), temperror (DNS failed)
    dns_lookups integer,   -- the whole tree, counted as RFC 7208 counts them
    void_lookups integer,
    all_qualifier text,    -- + - ~ ? of the domain's own all, or NULL
    includes text[]        -- every included domain, nested, in the order check_host meets them
);

CREATE FUNCTION @extschema@.spf_check(domain text,
    OUT severity text, OUT code text, OUT term text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_spf_check'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000 ROWS 3;
COMMENT ON FUNCTION @extschema@.spf_check(text) IS
'lint a domain''s SPF policy with every include and redirect expanded; a clean policy gives no rows';

CREATE FUNCTION @extschema@.spf_check(domains text[],
    OUT domain text, OUT severity text, OUT code text, OUT term text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_spf_check_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.spf_check(text[]) IS
'spf_check for many domains at once, with concurrent DNS';

CREATE FUNCTION @extschema@.spf_record(domain text)
RETURNS @extschema@.spf_summary
AS 'MODULE_PATHNAME', 'mailauth_spf_record'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.spf_record(text) IS
'a domain''s SPF record with its lookups counted and its includes expanded';

CREATE FUNCTION @extschema@.spf_record(domains text[])
RETURNS SETOF @extschema@.spf_summary
AS 'MODULE_PATHNAME', 'mailauth_spf_record_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.spf_record(text[]) IS
'spf_record for many domains at once, with concurrent DNS';

CREATE FUNCTION @extschema@.spf_includes(domain text, host text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'mailauth_spf_includes'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.spf_includes(text, text) IS
'does the SPF policy of domain include host, directly or nested?';

CREATE FUNCTION @extschema@.spf_includes(domains text[], hosts text[],
    OUT domain text, OUT host text, OUT spf_includes boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_spf_includes_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.spf_includes(text[], text[]) IS
'spf_includes for many (domain, host) pairs at once, with concurrent DNS: parallel arrays (one element: for every row); NULL elements skip the row';

REVOKE EXECUTE ON FUNCTION @extschema@.spf_check(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_check(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_record(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_record(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_includes(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_includes(text[], text[]) FROM PUBLIC;

---------------------------------------------------------------------------
-- Authentication-Results
---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.parse_authentication_results(header_or_message text,
    OUT authserv_id text, OUT version integer, OUT method text, OUT result text,
    OUT reason text, OUT properties jsonb)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_parse_authentication_results'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 4;
COMMENT ON FUNCTION @extschema@.parse_authentication_results(text) IS
'the results of Authentication-Results (RFC 8601) and Received-SPF fields, of one field value or of a whole message''s header';

---------------------------------------------------------------------------
-- DMARC
---------------------------------------------------------------------------

CREATE TYPE @extschema@.dmarc_policy_record AS (
    domain text,          -- the domain asked about (normalised)
    record_domain text,   -- where the record that applies was found (_dmarc.<this>), or NULL
    org_domain text,      -- the organizational domain (Public Suffix List, or the RFC 9989 tree walk)
    record text,          -- the record text
    p text, sp text, np text,   -- none, quarantine, reject; NULL when absent (sp: as p, np: as sp)
    adkim text, aspf text,      -- r (relaxed) or s (strict)
    pct integer,
    rua text[], ruf text[],
    fo text,
    status text,          -- ok, none (no record), invalid, temperror, permerror (bad name)
    problems text[]       -- 'code: detail', in plain words
);

CREATE FUNCTION @extschema@.dmarc_record(domain text)
RETURNS @extschema@.dmarc_policy_record
AS 'MODULE_PATHNAME', 'mailauth_dmarc_record'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.dmarc_record(text) IS
'discover and lint the DMARC policy that applies to a domain (RFC 7489, or RFC 9989 with mailauth.dmarc_mode = dmarcbis)';
REVOKE EXECUTE ON FUNCTION @extschema@.dmarc_record(text) FROM PUBLIC;
CREATE FUNCTION @extschema@.dmarc_record(domains text[])
RETURNS SETOF @extschema@.dmarc_policy_record
AS 'MODULE_PATHNAME', 'mailauth_dmarc_record_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.dmarc_record(text[]) IS
'dmarc_record for many domains at once, with concurrent DNS: one row per domain in input order, domain as given; NULL elements skipped';
REVOKE EXECUTE ON FUNCTION @extschema@.dmarc_record(text[]) FROM PUBLIC;

---------------------------------------------------------------------------
-- DKIM
---------------------------------------------------------------------------

CREATE TYPE @extschema@.dkim_key_record AS (
    record text,              -- the key record as published (NULL: none)
    key_type text,            -- k=: rsa (default) or ed25519
    key_bits integer,         -- RSA modulus bits, 256 for Ed25519; NULL when unknown
    hash_algorithms text[],   -- h=
    service_types text[],     -- s=
    flags text[],             -- t=
    testing boolean,          -- t=y
    revoked boolean,          -- p= empty
    problems text[]           -- 'code: detail', in plain words
);

CREATE FUNCTION @extschema@.dkim_key(selector text, domain text)
RETURNS @extschema@.dkim_key_record
AS 'MODULE_PATHNAME', 'mailauth_dkim_key'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.dkim_key(text, text) IS
'look up and lint the DKIM key published at <selector>._domainkey.<domain>';
REVOKE EXECUTE ON FUNCTION @extschema@.dkim_key(text, text) FROM PUBLIC;
CREATE FUNCTION @extschema@.dkim_key(selectors text[], domains text[],
    OUT selector text, OUT domain text,
    OUT record text, OUT key_type text, OUT key_bits integer, OUT hash_algorithms text[],
    OUT service_types text[], OUT flags text[], OUT testing boolean, OUT revoked boolean,
    OUT problems text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dkim_key_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.dkim_key(text[], text[]) IS
'dkim_key for many (selector, domain) pairs at once, with concurrent DNS: parallel arrays (one element: for every row); NULL elements skip the row';
REVOKE EXECUTE ON FUNCTION @extschema@.dkim_key(text[], text[]) FROM PUBLIC;

CREATE FUNCTION @extschema@.dkim_verify(message bytea,
    OUT domain text, OUT selector text, OUT algorithm text, OUT canonicalization text,
    OUT identity text, OUT key_bits integer, OUT body_length bigint, OUT signed_headers text[],
    OUT signed_at timestamptz, OUT expires_at timestamptz, OUT result text, OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dkim_verify_bytea'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000 ROWS 2;
CREATE FUNCTION @extschema@.dkim_verify(message text,
    OUT domain text, OUT selector text, OUT algorithm text, OUT canonicalization text,
    OUT identity text, OUT key_bits integer, OUT body_length bigint, OUT signed_headers text[],
    OUT signed_at timestamptz, OUT expires_at timestamptz, OUT result text, OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dkim_verify_text'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000 ROWS 2;
COMMENT ON FUNCTION @extschema@.dkim_verify(bytea) IS
'verify every DKIM signature of a stored message (libopendkim): one row per signature; an unsigned message gives one row with result none';
COMMENT ON FUNCTION @extschema@.dkim_verify(text) IS
'verify every DKIM signature of a stored message (libopendkim): one row per signature; an unsigned message gives one row with result none';
REVOKE EXECUTE ON FUNCTION @extschema@.dkim_verify(bytea) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.dkim_verify(text) FROM PUBLIC;

CREATE TYPE @extschema@.dmarc_verdict AS (
    from_domain text,      -- the RFC5322.From domain that decided
    org_domain text,
    result text,           -- pass, fail, none (no policy), temperror, permerror
    policy text,           -- the policy that applies (p, sp or np): none, quarantine, reject
    disposition text,      -- what to do: none, quarantine, reject (after pct)
    spf_result text,
    spf_domain text,       -- the MAIL FROM domain, or the HELO name
    spf_aligned boolean,
    dkim_domains text[],   -- the d= of the signatures that passed
    dkim_aligned boolean,
    record text            -- the DMARC record applied
);

CREATE FUNCTION @extschema@.dmarc_verify(message bytea, ip inet, mail_from text, helo text DEFAULT NULL)
RETURNS @extschema@.dmarc_verdict
AS 'MODULE_PATHNAME', 'mailauth_dmarc_verify_bytea'
LANGUAGE C VOLATILE PARALLEL SAFE COST 20000;
CREATE FUNCTION @extschema@.dmarc_verify(message text, ip inet, mail_from text, helo text DEFAULT NULL)
RETURNS @extschema@.dmarc_verdict
AS 'MODULE_PATHNAME', 'mailauth_dmarc_verify_text'
LANGUAGE C VOLATILE PARALLEL SAFE COST 20000;
COMMENT ON FUNCTION @extschema@.dmarc_verify(bytea, inet, text, text) IS
'DMARC verdict of a message: SPF (spf_verify) and DKIM (dkim_verify) aligned with the From domain, the policy with pct, sp and np applied';
COMMENT ON FUNCTION @extschema@.dmarc_verify(text, inet, text, text) IS
'DMARC verdict of a message: SPF (spf_verify) and DKIM (dkim_verify) aligned with the From domain, the policy with pct, sp and np applied';
REVOKE EXECUTE ON FUNCTION @extschema@.dmarc_verify(bytea, inet, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.dmarc_verify(text, inet, text, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.authentication_results(message text, ip inet, mail_from text, helo text, authserv_id text)
RETURNS text
AS 'MODULE_PATHNAME', 'mailauth_authentication_results_text'
LANGUAGE C VOLATILE PARALLEL SAFE COST 20000;
CREATE FUNCTION @extschema@.authentication_results(message bytea, ip inet, mail_from text, helo text, authserv_id text)
RETURNS text
AS 'MODULE_PATHNAME', 'mailauth_authentication_results_bytea'
LANGUAGE C VOLATILE PARALLEL SAFE COST 20000;
COMMENT ON FUNCTION @extschema@.authentication_results(text, inet, text, text, text) IS
'the Authentication-Results value (RFC 8601) a receiver named authserv_id would add: spf, dkim and dmarc';
COMMENT ON FUNCTION @extschema@.authentication_results(bytea, inet, text, text, text) IS
'the Authentication-Results value (RFC 8601) a receiver named authserv_id would add: spf, dkim and dmarc';
REVOKE EXECUTE ON FUNCTION @extschema@.authentication_results(text, inet, text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.authentication_results(bytea, inet, text, text, text) FROM PUBLIC;

---------------------------------------------------------------------------
-- Bounces (no DNS: pure, granted to PUBLIC)
---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.parse_dsn(message bytea,
    OUT recipient text, OUT original_recipient text, OUT action text, OUT status text,
    OUT reply_code integer, OUT reason text, OUT hard_bounce boolean,
    OUT diagnostic_type text, OUT diagnostic text, OUT remote_mta text, OUT reporting_mta text,
    OUT arrival_date timestamptz, OUT last_attempt timestamptz, OUT will_retry_until timestamptz,
    OUT original_envelope_id text, OUT original_message_id text, OUT original_from text,
    OUT original_subject text, OUT feedback_type text, OUT source text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_parse_dsn_bytea'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000 ROWS 1;
CREATE FUNCTION @extschema@.parse_dsn(message text,
    OUT recipient text, OUT original_recipient text, OUT action text, OUT status text,
    OUT reply_code integer, OUT reason text, OUT hard_bounce boolean,
    OUT diagnostic_type text, OUT diagnostic text, OUT remote_mta text, OUT reporting_mta text,
    OUT arrival_date timestamptz, OUT last_attempt timestamptz, OUT will_retry_until timestamptz,
    OUT original_envelope_id text, OUT original_message_id text, OUT original_from text,
    OUT original_subject text, OUT feedback_type text, OUT source text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_parse_dsn_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 1000 ROWS 1;
COMMENT ON FUNCTION @extschema@.parse_dsn(bytea) IS
'one row per recipient of a bounce (RFC 3464 and the text formats of real MTAs), feedback report (RFC 5965) or auto-reply (RFC 3834): status, reply code, reason, hard/soft; no rows for other messages';
COMMENT ON FUNCTION @extschema@.parse_dsn(text) IS
'one row per recipient of a bounce (RFC 3464 and the text formats of real MTAs), feedback report (RFC 5965) or auto-reply (RFC 3834): status, reply code, reason, hard/soft; no rows for other messages';

CREATE TYPE @extschema@.smtp_status_code AS (
    code text,            -- normalised, e.g. 5.7.26
    class integer,        -- 2 success, 4 persistent transient failure, 5 permanent failure
    subject integer,
    detail integer,
    permanent boolean,    -- class 5
    description text      -- the IANA registry's text for the code (or its class and subject)
);
CREATE FUNCTION @extschema@.smtp_status(code text)
RETURNS @extschema@.smtp_status_code
AS 'MODULE_PATHNAME', 'mailauth_smtp_status'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.smtp_status(text) IS
'an RFC 3463 enhanced status code described from the IANA registry (including X.7.20-X.7.30); 22023 for an invalid code';

CREATE FUNCTION @extschema@.bounce_reason(diagnostic text, status text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'mailauth_bounce_reason'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.bounce_reason(text, text) IS
'the bounce reason (Sisimai''s vocabulary: userunknown, mailboxfull, blocked, ...) of a bare diagnostic line, e.g. from an MTA log';

---------------------------------------------------------------------------
-- Sender trust: PTR, HELO, blocklists, domain setup
---------------------------------------------------------------------------

CREATE TYPE @extschema@.ptr_check_result AS (
    ip inet,
    ptr_names text[],          -- the PTR names of the address
    forward_confirmed boolean, -- one of them resolves back to the address (FCrDNS)
    confirmed_name text,       -- the first such name
    generic boolean,           -- the name looks residential/dynamic (IP digits, "dsl", "pool", ...)
    status text,               -- RFC 8601 iprev: pass, fail, temperror, permerror
    problems text[]            -- no_ptr, not_forward_confirmed, generic_name, too_many_ptr, dns_error
);
CREATE FUNCTION @extschema@.ptr_check(ip inet)
RETURNS @extschema@.ptr_check_result
AS 'MODULE_PATHNAME', 'mailauth_ptr_check'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.ptr_check(inet) IS
'forward-confirmed reverse DNS of an address (every PTR name''s A/AAAA checked), and whether its name looks generic';
REVOKE EXECUTE ON FUNCTION @extschema@.ptr_check(inet) FROM PUBLIC;
CREATE FUNCTION @extschema@.ptr_check(ip text)
RETURNS @extschema@.ptr_check_result
AS 'MODULE_PATHNAME', 'mailauth_ptr_check_text'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.ptr_check(text) IS
'ptr_check(inet) of an address written as text (a literal is ambiguous between inet and inet[])';
REVOKE EXECUTE ON FUNCTION @extschema@.ptr_check(text) FROM PUBLIC;
CREATE FUNCTION @extschema@.ptr_check(ips inet[])
RETURNS SETOF @extschema@.ptr_check_result
AS 'MODULE_PATHNAME', 'mailauth_ptr_check_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.ptr_check(inet[]) IS
'ptr_check for many addresses at once, with concurrent DNS: one row per address in input order, ip as given; NULL elements skipped';
REVOKE EXECUTE ON FUNCTION @extschema@.ptr_check(inet[]) FROM PUBLIC;

CREATE TYPE @extschema@.helo_check_result AS (
    helo text,
    valid_syntax boolean,      -- an RFC 5321 Domain or address literal
    is_ip_literal boolean,     -- [192.0.2.1] or [IPv6:...]
    is_localhost boolean,
    resolves boolean,          -- has A or AAAA records (NULL: not a name, or DNS error)
    matches_ip boolean,        -- resolves to (or is the literal of) ip; NULL without ip
    in_domain boolean,         -- same organizational domain as domain; NULL without domain
    matches_mx boolean,        -- one of domain's MX hosts; NULL without domain
    problems text[]            -- invalid_syntax, bare_ip, ip_literal, ip_literal_mismatch, localhost,
                               -- not_fqdn, invalid_tld, does_not_resolve, ip_mismatch, not_in_domain, dns_error
);
CREATE FUNCTION @extschema@.helo_check(helo text, ip inet DEFAULT NULL, domain text DEFAULT NULL)
RETURNS @extschema@.helo_check_result
AS 'MODULE_PATHNAME', 'mailauth_helo_check'
LANGUAGE C VOLATILE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.helo_check(text, inet, text) IS
'an SMTP HELO/EHLO name checked as RFC 5321 2.3.5 and 4.1.4 ask: syntax, localhost, IP literals, resolution, match with the client IP and the sender''s domain';
REVOKE EXECUTE ON FUNCTION @extschema@.helo_check(text, inet, text) FROM PUBLIC;
-- helo_check('mx.example.com', '192.0.2.1'): a literal address is
-- ambiguous between inet and inet[], so a text overload takes it
CREATE FUNCTION @extschema@.helo_check(helo text, ip text, domain text DEFAULT NULL)
RETURNS @extschema@.helo_check_result
AS 'MODULE_PATHNAME', 'mailauth_helo_check_text'
LANGUAGE C VOLATILE PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.helo_check(text, text, text) IS
'helo_check(text, inet, text) of an address written as text';
REVOKE EXECUTE ON FUNCTION @extschema@.helo_check(text, text, text) FROM PUBLIC;
CREATE FUNCTION @extschema@.helo_check(helos text[], ips inet[] DEFAULT NULL, domains text[] DEFAULT NULL,
    OUT helo text, OUT ip inet, OUT domain text,
    OUT valid_syntax boolean, OUT is_ip_literal boolean, OUT is_localhost boolean,
    OUT resolves boolean, OUT matches_ip boolean, OUT in_domain boolean, OUT matches_mx boolean,
    OUT problems text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_helo_check_many'
LANGUAGE C VOLATILE PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.helo_check(text[], inet[], text[]) IS
'helo_check for many (helo, ip, domain) at once, with concurrent DNS: parallel arrays (one element or NULL: for every row); a NULL helo skips the row';
REVOKE EXECUTE ON FUNCTION @extschema@.helo_check(text[], inet[], text[]) FROM PUBLIC;

CREATE FUNCTION @extschema@.dnsbl_check(ip inet, zones text[] DEFAULT NULL,
    OUT zone text, OUT listed boolean, OUT codes inet[], OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dnsbl_check'
LANGUAGE C VOLATILE PARALLEL SAFE COST 10000 ROWS 3;
COMMENT ON FUNCTION @extschema@.dnsbl_check(inet, text[]) IS
'whether an IPv4 or IPv6 address is listed on DNS blocklists (all zones asked concurrently; default zones: mailauth.dnsbl_zones); listed is NULL when the list could not tell';
REVOKE EXECUTE ON FUNCTION @extschema@.dnsbl_check(inet, text[]) FROM PUBLIC;
CREATE FUNCTION @extschema@.dnsbl_check(ip text, zones text[] DEFAULT NULL,
    OUT zone text, OUT listed boolean, OUT codes inet[], OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dnsbl_check_text'
LANGUAGE C VOLATILE PARALLEL SAFE COST 10000 ROWS 3;
COMMENT ON FUNCTION @extschema@.dnsbl_check(text, text[]) IS
'dnsbl_check(inet, text[]) of an address written as text (a literal is ambiguous between inet and inet[])';
REVOKE EXECUTE ON FUNCTION @extschema@.dnsbl_check(text, text[]) FROM PUBLIC;
CREATE FUNCTION @extschema@.dnsbl_check(ips inet[], zones text[] DEFAULT NULL,
    OUT ip inet, OUT zone text, OUT listed boolean, OUT codes inet[], OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dnsbl_check_many'
LANGUAGE C VOLATILE PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.dnsbl_check(inet[], text[]) IS
'dnsbl_check for many addresses at once, each against every zone, with concurrent DNS: the rows of each address in input order; NULL elements skipped';
REVOKE EXECUTE ON FUNCTION @extschema@.dnsbl_check(inet[], text[]) FROM PUBLIC;

CREATE FUNCTION @extschema@.dbl_check(domain text, zones text[] DEFAULT NULL,
    OUT zone text, OUT listed boolean, OUT codes inet[], OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dbl_check'
LANGUAGE C VOLATILE PARALLEL SAFE COST 10000 ROWS 1;
COMMENT ON FUNCTION @extschema@.dbl_check(text, text[]) IS
'whether a domain is listed on domain blocklists (default zones: mailauth.dbl_zones)';
REVOKE EXECUTE ON FUNCTION @extschema@.dbl_check(text, text[]) FROM PUBLIC;
CREATE FUNCTION @extschema@.dbl_check(domains text[], zones text[] DEFAULT NULL,
    OUT domain text, OUT zone text, OUT listed boolean, OUT codes inet[], OUT reason text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dbl_check_many'
LANGUAGE C VOLATILE PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.dbl_check(text[], text[]) IS
'dbl_check for many domains at once, each against every zone, with concurrent DNS: the rows of each domain in input order; NULL elements skipped';
REVOKE EXECUTE ON FUNCTION @extschema@.dbl_check(text[], text[]) FROM PUBLIC;

CREATE TYPE @extschema@.dns_expect_result AS (
    status text,   -- ok, missing (no such name or no record of the type), mismatch, error (DNS failure)
    found text[]   -- the records found, normalised
);
CREATE FUNCTION @extschema@.dns_expect(name text, rrtype text, expected text, match text DEFAULT 'exact')
RETURNS @extschema@.dns_expect_result
AS 'MODULE_PATHNAME', 'mailauth_dns_expect'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000;
COMMENT ON FUNCTION @extschema@.dns_expect(text, text, text, text) IS
'is a record published as expected? match: exact (after normalising case, trailing dots, TXT strings and whitespace), contains (a TXT token, e.g. include:mail.zendesk.com) or pattern (* wildcards)';
REVOKE EXECUTE ON FUNCTION @extschema@.dns_expect(text, text, text, text) FROM PUBLIC;
CREATE FUNCTION @extschema@.dns_expect(names text[], rrtypes text[], expected_values text[],
    matches text[] DEFAULT '{exact}',
    OUT name text, OUT rrtype text, OUT expected text, OUT match text,
    OUT status text, OUT found text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_dns_expect_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.dns_expect(text[], text[], text[], text[]) IS
'dns_expect for many records at once, with concurrent DNS: parallel arrays (one element: for every row), one row per input in input order; a NULL element skips the row';
REVOKE EXECUTE ON FUNCTION @extschema@.dns_expect(text[], text[], text[], text[]) FROM PUBLIC;

-- The records sending services ask a customer to publish, one row per
-- record; {domain} is the customer's domain, {domain_dashed} the same with
-- dots as dashes.  Extensible: INSERT your own rows (source 'user');
-- pg_dump keeps the rows you add, CREATE EXTENSION brings back the seeds.
CREATE TABLE @extschema@.service_records (
    service   text NOT NULL,
    name      text NOT NULL,
    rrtype    text NOT NULL CHECK (rrtype IN ('A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'SRV', 'CAA')),
    expected  text NOT NULL,
    match     text NOT NULL DEFAULT 'exact' CHECK (match IN ('exact', 'contains', 'pattern')),
    purpose   text NOT NULL,
    note      text,
    source    text NOT NULL DEFAULT 'user' CHECK (source IN ('mailauth', 'user')),
    PRIMARY KEY (service, name, rrtype, expected)
);
COMMENT ON TABLE @extschema@.service_records IS
'the DNS records sending services ask customers to publish (templates over {domain}); domain_setup_check checks them one by one';
GRANT SELECT ON @extschema@.service_records TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.service_records', 'WHERE source = ''user''');

INSERT INTO @extschema@.service_records (service, name, rrtype, expected, match, purpose, note, source) VALUES
  ('Zendesk', '{domain}', 'TXT', 'include:mail.zendesk.com', 'contains', 'spf', 'SPF authorizes Zendesk to send for the domain', 'mailauth'),
  ('Zendesk', 'zendesk1._domainkey.{domain}', 'CNAME', 'zendesk1._domainkey.zendesk.com', 'exact', 'dkim', NULL, 'mailauth'),
  ('Zendesk', 'zendesk2._domainkey.{domain}', 'CNAME', 'zendesk2._domainkey.zendesk.com', 'exact', 'dkim', NULL, 'mailauth'),
  ('Zendesk', 'zendeskverification.{domain}', 'TXT', '*', 'pattern', 'verification', 'the value is the account''s own code', 'mailauth'),
  ('Zendesk', '_dmarc.{domain}', 'TXT', 'v=DMARC1*', 'pattern', 'dmarc', NULL, 'mailauth'),
  ('SendGrid', 's1._domainkey.{domain}', 'CNAME', 's1.domainkey.u*.wl*.sendgrid.net', 'pattern', 'dkim', 'automated security', 'mailauth'),
  ('SendGrid', 's2._domainkey.{domain}', 'CNAME', 's2.domainkey.u*.wl*.sendgrid.net', 'pattern', 'dkim', 'automated security', 'mailauth'),
  ('SendGrid', '_dmarc.{domain}', 'TXT', 'v=DMARC1*', 'pattern', 'dmarc', NULL, 'mailauth'),
  ('Amazon SES', 'mail.{domain}', 'MX', 'feedback-smtp.*.amazonses.com', 'pattern', 'return-path', 'custom MAIL FROM domain "mail" (add rows for another subdomain)', 'mailauth'),
  ('Amazon SES', 'mail.{domain}', 'TXT', 'include:amazonses.com', 'contains', 'spf', 'SPF of the custom MAIL FROM domain', 'mailauth'),
  ('Amazon SES', '_dmarc.{domain}', 'TXT', 'v=DMARC1*', 'pattern', 'dmarc', NULL, 'mailauth'),
  ('Mailgun', '{domain}', 'TXT', 'include:mailgun.org', 'contains', 'spf', NULL, 'mailauth'),
  ('Mailgun', 'email.{domain}', 'CNAME', 'mailgun.org', 'exact', 'link-tracking', NULL, 'mailauth'),
  ('Mailgun', '_dmarc.{domain}', 'TXT', 'v=DMARC1*', 'pattern', 'dmarc', NULL, 'mailauth'),
  ('Postmark', 'pm-bounces.{domain}', 'CNAME', 'pm.mtasv.net', 'exact', 'return-path', NULL, 'mailauth'),
  ('Postmark', '_dmarc.{domain}', 'TXT', 'v=DMARC1*', 'pattern', 'dmarc', NULL, 'mailauth'),
  ('Google Workspace', '{domain}', 'MX', '*google.com', 'pattern', 'mx', 'smtp.google.com or the aspmx hosts', 'mailauth'),
  ('Google Workspace', '{domain}', 'TXT', 'include:_spf.google.com', 'contains', 'spf', NULL, 'mailauth'),
  ('Google Workspace', 'google._domainkey.{domain}', 'TXT', 'v=DKIM1;*p=*', 'pattern', 'dkim', NULL, 'mailauth'),
  ('Google Workspace', '_dmarc.{domain}', 'TXT', 'v=DMARC1*', 'pattern', 'dmarc', NULL, 'mailauth'),
  ('Microsoft 365', '{domain}', 'MX', '*.mail.protection.outlook.com', 'pattern', 'mx', NULL, 'mailauth'),
  ('Microsoft 365', '{domain}', 'TXT', 'include:spf.protection.outlook.com', 'contains', 'spf', NULL, 'mailauth'),
  ('Microsoft 365', 'autodiscover.{domain}', 'CNAME', 'autodiscover.outlook.com', 'exact', 'autodiscover', NULL, 'mailauth'),
  ('Microsoft 365', 'selector1._domainkey.{domain}', 'CNAME', 'selector1-{domain_dashed}._domainkey.*.onmicrosoft.com', 'pattern', 'dkim', NULL, 'mailauth'),
  ('Microsoft 365', 'selector2._domainkey.{domain}', 'CNAME', 'selector2-{domain_dashed}._domainkey.*.onmicrosoft.com', 'pattern', 'dkim', NULL, 'mailauth'),
  ('Microsoft 365', '_dmarc.{domain}', 'TXT', 'v=DMARC1*', 'pattern', 'dmarc', NULL, 'mailauth');

CREATE FUNCTION @extschema@.domain_setup_check(domain text, service text,
    OUT name text, OUT rrtype text, OUT expected text, OUT found text[], OUT status text, OUT purpose text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE COST 50000 ROWS 6
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    d text := lower(rtrim(btrim(domain_setup_check.domain), '.'));
BEGIN
    IF NOT EXISTS (SELECT 1 FROM @extschema@.service_records r
                   WHERE lower(r.service) = lower(domain_setup_check.service)) THEN
        RAISE EXCEPTION 'unknown sending service "%"', domain_setup_check.service
            USING ERRCODE = '22023',
                  HINT = 'Known services: ' || (SELECT string_agg(DISTINCT r.service, ', ' ORDER BY r.service)
                                                FROM @extschema@.service_records r)
                         || '.  Add your own rows to mailauth.service_records.';
    END IF;
    RETURN QUERY
    SELECT t.n, r.rrtype, t.e, x.found, x.status, r.purpose
    FROM @extschema@.service_records r
    CROSS JOIN LATERAL (SELECT replace(replace(r.name, '{domain_dashed}', replace(d, '.', '-')), '{domain}', d) AS n,
                               replace(replace(r.expected, '{domain_dashed}', replace(d, '.', '-')), '{domain}', d) AS e) t
    CROSS JOIN LATERAL @extschema@.dns_expect(t.n, r.rrtype, t.e, r.match) x
    WHERE lower(r.service) = lower(domain_setup_check.service)
    ORDER BY r.purpose, t.n, r.rrtype, t.e;
END
$$;
COMMENT ON FUNCTION @extschema@.domain_setup_check(text, text) IS
'the records a sending service (mailauth.service_records) asks a domain to publish, each found / missing / mismatch';
REVOKE EXECUTE ON FUNCTION @extschema@.domain_setup_check(text, text) FROM PUBLIC;

CREATE FUNCTION @extschema@.domain_setup_check(domains text[], services text[],
    OUT domain text, OUT service text,
    OUT name text, OUT rrtype text, OUT expected text, OUT found text[], OUT status text, OUT purpose text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE STRICT PARALLEL SAFE COST 500000 ROWS 1000
SET search_path = pg_catalog, pg_temp
-- the plans of the body are DNS-bound: JIT compilation (their estimates
-- exceed jit_above_cost) would only add a second that no cancel interrupts
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    dom text[] := coalesce((SELECT array_agg(x ORDER BY o) FROM unnest(domains) WITH ORDINALITY u(x, o)), '{}');
    svc text[] := coalesce((SELECT array_agg(x ORDER BY o) FROM unnest(services) WITH ORDINALITY u(x, o)), '{}');
    nd int := cardinality(dom);
    ns int := cardinality(svc);
    dl text[];
    sl text[];
    bad text;
    total int;
    chunk int;
    lo int := 1;
    hi int;
    every int := coalesce(nullif(current_setting('mailauth.bulk_progress', true), '')::int, 0);
    t0 timestamptz := clock_timestamp();
BEGIN
    IF array_ndims(domains) > 1 OR array_ndims(services) > 1 THEN
        RAISE EXCEPTION 'domains and services must be one-dimensional arrays' USING ERRCODE = '2202E';
    END IF;
    IF nd <> ns AND nd <> 1 AND ns <> 1 THEN
        RAISE EXCEPTION 'domain_setup_check: the arrays domains (%) and services (%) must have the same number of elements', nd, ns
            USING ERRCODE = '22023', HINT = 'An array of one element is used for every row.';
    END IF;
    -- one element is used for every row; a NULL element skips its row
    SELECT coalesce(array_agg(x.d ORDER BY x.i), '{}'), coalesce(array_agg(x.s ORDER BY x.i), '{}')
      INTO dl, sl
      FROM (SELECT g AS i, dom[CASE WHEN nd = 1 THEN 1 ELSE g END] AS d,
                   svc[CASE WHEN ns = 1 THEN 1 ELSE g END] AS s
              FROM generate_series(1, CASE WHEN nd = 1 THEN ns WHEN ns = 1 THEN nd ELSE nd END) g) x
     WHERE x.d IS NOT NULL AND x.s IS NOT NULL;
    SELECT u.s INTO bad FROM unnest(sl) WITH ORDINALITY u(s, o)
     WHERE NOT EXISTS (SELECT 1 FROM @extschema@.service_records r WHERE lower(r.service) = lower(u.s))
     ORDER BY u.o LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown sending service "%"', bad
            USING ERRCODE = '22023',
                  HINT = 'Known services: ' || (SELECT string_agg(DISTINCT r.service, ', ' ORDER BY r.service)
                                                FROM @extschema@.service_records r)
                         || '.  Add your own rows to mailauth.service_records.';
    END IF;
    total := cardinality(dl);
    chunk := CASE WHEN every > 0 THEN every ELSE greatest(total, 1) END;
    -- progress is ours: the inner dns_expect() calls report none
    PERFORM set_config('mailauth.bulk_progress', '0', true);
    WHILE lo <= total LOOP
        hi := least(total, lo + chunk - 1);
        RETURN QUERY
        WITH inp AS (
            SELECT g AS i, dl[g] AS d_in, sl[g] AS s_in, lower(rtrim(btrim(dl[g]), '.')) AS d
              FROM generate_series(lo, hi) g
        ), t AS (
            SELECT inp.i, inp.d_in, inp.s_in, r.rrtype, r.match, r.purpose, x.n, x.e,
                   row_number() OVER (ORDER BY inp.i, r.purpose, x.n, r.rrtype, x.e) AS k
              FROM inp
              JOIN @extschema@.service_records r ON lower(r.service) = lower(inp.s_in)
             CROSS JOIN LATERAL (SELECT replace(replace(r.name, '{domain_dashed}', replace(inp.d, '.', '-')), '{domain}', inp.d) AS n,
                                        replace(replace(r.expected, '{domain_dashed}', replace(inp.d, '.', '-')), '{domain}', inp.d) AS e) x
        )
        SELECT t.d_in, t.s_in, t.n, t.rrtype, t.e, q.found, q.status, t.purpose
          FROM t
          JOIN @extschema@.dns_expect(ARRAY(SELECT t2.n FROM t t2 ORDER BY t2.k),
                                      ARRAY(SELECT t2.rrtype FROM t t2 ORDER BY t2.k),
                                      ARRAY(SELECT t2.e FROM t t2 ORDER BY t2.k),
                                      ARRAY(SELECT t2.match FROM t t2 ORDER BY t2.k))
               WITH ORDINALITY q(qname, qrrtype, qexpected, qmatch, status, found, k) ON q.k = t.k
         ORDER BY t.k;
        IF every > 0 AND total >= every THEN
            RAISE NOTICE '@extschema@.domain_setup_check: % of % done (% %%), % s', hi, total, hi * 100 / total,
                to_char(extract(epoch FROM clock_timestamp() - t0), 'FM9999999990.0');
        END IF;
        lo := hi + 1;
    END LOOP;
    PERFORM set_config('mailauth.bulk_progress', every::text, true);
END
$$;
COMMENT ON FUNCTION @extschema@.domain_setup_check(text[], text[]) IS
'domain_setup_check for many (domain, service) pairs at once, every record checked concurrently (dns_expect(text[], ...)): parallel arrays (one element: for every row); NULL elements skip the row';
REVOKE EXECUTE ON FUNCTION @extschema@.domain_setup_check(text[], text[]) FROM PUBLIC;

-- DKIM selectors domain_report() looks for.  Extensible like service_records.
CREATE TABLE @extschema@.dkim_selectors (
    selector text PRIMARY KEY CHECK (selector = lower(selector)),
    service  text,
    source   text NOT NULL DEFAULT 'user' CHECK (source IN ('mailauth', 'user'))
);
COMMENT ON TABLE @extschema@.dkim_selectors IS
'DKIM selectors domain_report() probes (a domain''s selectors cannot be listed through DNS)';
GRANT SELECT ON @extschema@.dkim_selectors TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dkim_selectors', 'WHERE source = ''user''');
INSERT INTO @extschema@.dkim_selectors (selector, service, source) VALUES
  ('default', NULL, 'mailauth'), ('dkim', NULL, 'mailauth'), ('mail', NULL, 'mailauth'),
  ('selector1', 'Microsoft 365', 'mailauth'), ('selector2', 'Microsoft 365', 'mailauth'),
  ('google', 'Google Workspace', 'mailauth'), ('zendesk1', 'Zendesk', 'mailauth'), ('zendesk2', 'Zendesk', 'mailauth'),
  ('s1', 'SendGrid', 'mailauth'), ('s2', 'SendGrid', 'mailauth'), ('k1', 'Mailchimp / Mailgun', 'mailauth'),
  ('k2', 'Mailchimp', 'mailauth'), ('k3', 'Mailchimp', 'mailauth'), ('mandrill', 'Mandrill', 'mailauth'),
  ('smtp', 'Mailgun', 'mailauth'), ('mxvault', NULL, 'mailauth'), ('fm1', 'Fastmail', 'mailauth'),
  ('fm2', 'Fastmail', 'mailauth'), ('fm3', 'Fastmail', 'mailauth'), ('protonmail', 'Proton', 'mailauth'),
  ('hs1', 'HubSpot', 'mailauth'), ('hs2', 'HubSpot', 'mailauth'), ('mailjet', 'Mailjet', 'mailauth'),
  ('key1', NULL, 'mailauth'), ('sig1', 'iCloud', 'mailauth');

CREATE TYPE @extschema@.domain_report_result AS (
    domain text,
    spf_status text,          -- ok, none, permerror, temperror (spf_check)
    spf_lookups integer,      -- DNS lookups the whole policy costs (limit 10)
    spf_problems text[],      -- spf_check codes of errors and warnings
    dmarc_policy text,        -- none, quarantine, reject (the policy that applies), NULL without a record
    dmarc_problems text[],    -- dmarc_record codes of errors and warnings
    mx_hosts text[],          -- "preference host", by preference
    null_mx boolean,          -- RFC 7505: the domain accepts no mail
    dkim_selectors text[],    -- selectors of mailauth.dkim_selectors with a key record
    mta_sts text,             -- the _mta-sts TXT record (RFC 8461)
    tls_rpt text,             -- the _smtp._tls TXT record (RFC 8460)
    bimi text,                -- the default._bimi TXT record
    problems text[]           -- what is wrong, in plain words
);
CREATE FUNCTION @extschema@.domain_report(domain text)
RETURNS @extschema@.domain_report_result
AS 'MODULE_PATHNAME', 'mailauth_domain_report'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 100000;
CREATE FUNCTION @extschema@.domain_report(domains text[])
RETURNS SETOF @extschema@.domain_report_result
AS 'MODULE_PATHNAME', 'mailauth_domain_report_many'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 1000000 ROWS 1000;
COMMENT ON FUNCTION @extschema@.domain_report(text) IS
'one row on a domain''s mail setup: SPF, DMARC, MX, DKIM keys under common selectors, MTA-STS, TLS-RPT, BIMI, and its problems in plain words';
COMMENT ON FUNCTION @extschema@.domain_report(text[]) IS
'domain_report for a whole list of domains, checked concurrently; one row per domain given';
REVOKE EXECUTE ON FUNCTION @extschema@.domain_report(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.domain_report(text[]) FROM PUBLIC;

-- The rules sender_trust() applies, one row per rule: the code it reports
-- in reasons and the verdict it leads to.  UPDATE verdict to make a rule
-- stricter or milder (e.g. no_ptr -> 'untrusted'); the checks themselves
-- are the body of sender_trust() below, in plain SQL.
CREATE TABLE @extschema@.sender_trust_rules (
    code        text PRIMARY KEY,
    verdict     text NOT NULL CHECK (verdict IN ('untrusted', 'low_trust', 'trusted')),
    description text NOT NULL,
    source      text NOT NULL DEFAULT 'user' CHECK (source IN ('mailauth', 'user'))
);
COMMENT ON TABLE @extschema@.sender_trust_rules IS
'the rule table of sender_trust(): each rule''s code and the verdict it leads to (the strictest verdict of the rules that fire wins)';
GRANT SELECT ON @extschema@.sender_trust_rules TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('@extschema@.sender_trust_rules', 'WHERE source = ''user''');
INSERT INTO @extschema@.sender_trust_rules (code, verdict, description, source) VALUES
  ('spf_fail',             'untrusted', 'SPF fails: the domain says this IP may not send for it', 'mailauth'),
  ('dmarc_fail_enforced',  'untrusted', 'DMARC fails and the domain asks to quarantine or reject such mail', 'mailauth'),
  ('no_spf_no_dkim',       'untrusted', 'the sender domain publishes no SPF policy and no DKIM signature verifies: anyone could have sent it', 'mailauth'),
  ('sender_domain_unresolvable', 'untrusted', 'the MAIL FROM domain does not exist, or has neither MX nor address records', 'mailauth'),
  ('dmarc_fail',           'low_trust', 'DMARC fails, but the domain''s policy is p=none', 'mailauth'),
  ('dkim_invalid',         'low_trust', 'the message is signed, but no DKIM signature verifies', 'mailauth'),
  ('spf_softfail',         'low_trust', 'SPF softfails (~all): the IP is probably not allowed to send for the domain', 'mailauth'),
  ('no_spf',               'low_trust', 'the sender domain publishes no SPF policy (a DKIM signature verifies)', 'mailauth'),
  ('no_ptr',               'low_trust', 'the sending IP has no PTR record', 'mailauth'),
  ('ptr_not_confirmed',    'low_trust', 'the PTR name of the sending IP does not resolve back to it', 'mailauth'),
  ('generic_ptr',          'low_trust', 'the PTR name of the sending IP looks residential or dynamic', 'mailauth'),
  ('bad_helo',             'low_trust', 'the HELO/EHLO name is invalid, localhost, an IP where a name belongs, or does not resolve', 'mailauth'),
  ('dns_error',            'low_trust', 'a DNS failure kept a check from a verdict', 'mailauth');

CREATE TYPE @extschema@.sender_trust_result AS (
    verdict text,      -- trusted, low_trust, untrusted
    reasons text[],    -- the codes of mailauth.sender_trust_rules that fired
    spf text,          -- spf_verify result
    dkim text,         -- pass if a signature verifies, else the first signature's result; none without a message
    dmarc text,        -- dmarc_verify result; NULL without a message
    ptr text,          -- ptr_check status (iprev)
    helo text          -- ok, or the first helo_check problem
);
CREATE FUNCTION @extschema@.sender_trust(ip inet, helo text, mail_from text, message bytea DEFAULT NULL)
RETURNS @extschema@.sender_trust_result
LANGUAGE plpgsql VOLATILE PARALLEL SAFE COST 100000
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s  @extschema@.spf_result;
    dm @extschema@.dmarc_verdict;
    p  @extschema@.ptr_check_result;
    h  @extschema@.helo_check_result;
    dkim_any_pass boolean := false;
    dkim_first text := 'none';
    dkim_signed boolean := false;
    dom text;
    dom_status text;
    dom_has_a boolean;
    fired text[] := '{}';
    verdict text := 'trusted';
    r record;
BEGIN
    dom := nullif(lower(rtrim(split_part(coalesce(mail_from, ''), '@', 2), '.')), '');
    s := @extschema@.spf_verify(sender_trust.ip, mail_from, sender_trust.helo);
    p := @extschema@.ptr_check(sender_trust.ip);
    h := @extschema@.helo_check(sender_trust.helo, sender_trust.ip, dom);
    IF message IS NOT NULL THEN
        dm := @extschema@.dmarc_verify(message, sender_trust.ip, mail_from, sender_trust.helo);
        FOR r IN SELECT v.result FROM @extschema@.dkim_verify(message) v LOOP
            IF r.result <> 'none' THEN dkim_signed := true; END IF;
            IF r.result = 'pass' THEN dkim_any_pass := true; END IF;
            IF dkim_first = 'none' THEN dkim_first := r.result; END IF;
        END LOOP;
    END IF;
    IF dom IS NOT NULL THEN
        SELECT q.status INTO dom_status FROM @extschema@.dns_lookup(ARRAY[dom], 'MX') q LIMIT 1;
        IF dom_status = 'nodata' THEN
            SELECT bool_or(q.status = 'ok') INTO dom_has_a FROM @extschema@.dns_lookup(ARRAY[dom], 'A') q;
        END IF;
    END IF;

    -- the rules (their verdicts: mailauth.sender_trust_rules)
    IF s.result = 'fail' THEN fired := array_append(fired, 'spf_fail'); END IF;
    IF s.result = 'softfail' THEN fired := array_append(fired, 'spf_softfail'); END IF;
    IF s.result = 'none' AND NOT dkim_any_pass THEN fired := array_append(fired, 'no_spf_no_dkim'); END IF;
    IF s.result = 'none' AND dkim_any_pass THEN fired := array_append(fired, 'no_spf'); END IF;
    IF dm.result = 'fail' AND dm.policy IN ('quarantine', 'reject') THEN fired := array_append(fired, 'dmarc_fail_enforced'); END IF;
    IF dm.result = 'fail' AND dm.policy = 'none' THEN fired := array_append(fired, 'dmarc_fail'); END IF;
    IF dkim_signed AND NOT dkim_any_pass THEN fired := array_append(fired, 'dkim_invalid'); END IF;
    IF dom_status = 'nxdomain' OR (dom_status = 'nodata' AND NOT coalesce(dom_has_a, false)) THEN
        fired := array_append(fired, 'sender_domain_unresolvable');
    END IF;
    IF 'no_ptr' = ANY (p.problems) THEN fired := array_append(fired, 'no_ptr'); END IF;
    IF 'not_forward_confirmed' = ANY (p.problems) THEN fired := array_append(fired, 'ptr_not_confirmed'); END IF;
    IF p.generic THEN fired := array_append(fired, 'generic_ptr'); END IF;
    IF h.problems && ARRAY['invalid_syntax', 'bare_ip', 'localhost', 'ip_literal_mismatch',
                           'does_not_resolve', 'invalid_tld', 'not_fqdn'] THEN
        fired := array_append(fired, 'bad_helo');
    END IF;
    IF s.result = 'temperror' OR p.status = 'temperror' OR dm.result = 'temperror'
       OR 'dns_error' = ANY (h.problems) OR dom_status IN ('servfail', 'refused', 'timeout', 'formerr', 'error') THEN
        fired := array_append(fired, 'dns_error');
    END IF;

    SELECT CASE WHEN bool_or(t.verdict = 'untrusted') THEN 'untrusted'
                WHEN bool_or(t.verdict = 'low_trust') THEN 'low_trust'
                ELSE 'trusted' END
      INTO verdict
      FROM @extschema@.sender_trust_rules t WHERE t.code = ANY (fired);

    RETURN ROW(coalesce(verdict, 'trusted'), fired, s.result,
               CASE WHEN message IS NULL THEN 'none' WHEN dkim_any_pass THEN 'pass' ELSE dkim_first END,
               dm.result, p.status,
               coalesce(h.problems[1], 'ok'))::@extschema@.sender_trust_result;
END
$$;
COMMENT ON FUNCTION @extschema@.sender_trust(inet, text, text, bytea) IS
'a helpdesk''s trust verdict on a sender: SPF, DKIM, DMARC, PTR, HELO and the MAIL FROM domain against the rules of mailauth.sender_trust_rules';
REVOKE EXECUTE ON FUNCTION @extschema@.sender_trust(inet, text, text, bytea) FROM PUBLIC;

-- sender_trust('192.0.2.1', 'mx.example.com', 'a@example.com'): a literal
-- address is ambiguous between inet and inet[], so a text overload takes it
CREATE FUNCTION @extschema@.sender_trust(ip text, helo text, mail_from text, message bytea DEFAULT NULL)
RETURNS @extschema@.sender_trust_result
LANGUAGE sql VOLATILE PARALLEL SAFE COST 100000
SET search_path = pg_catalog, pg_temp
AS $$ SELECT @extschema@.sender_trust($1::pg_catalog.inet, $2, $3, $4) $$;
COMMENT ON FUNCTION @extschema@.sender_trust(text, text, text, bytea) IS
'sender_trust(inet, text, text, bytea) of an address written as text';
REVOKE EXECUTE ON FUNCTION @extschema@.sender_trust(text, text, text, bytea) FROM PUBLIC;

-- The set form, for senders without a message: the rules of sender_trust()
-- above (message NULL), over the set forms of spf_verify, ptr_check,
-- helo_check and dns_lookup, so every check of every sender is in shared
-- rounds of DNS queries.  Keep the two in step.
CREATE FUNCTION @extschema@.sender_trust(ips inet[], helos text[], mail_froms text[],
    OUT ip inet, OUT helo text, OUT mail_from text,
    OUT verdict text, OUT reasons text[], OUT spf text, OUT dkim text, OUT dmarc text,
    OUT ptr text, OUT helo_result text)
RETURNS SETOF record
LANGUAGE plpgsql VOLATILE PARALLEL SAFE COST 1000000 ROWS 1000
SET search_path = pg_catalog, pg_temp
SET jit = off		-- as domain_setup_check(text[], text[])
AS $$
#variable_conflict use_column
DECLARE
    ia inet[] := coalesce((SELECT array_agg(x ORDER BY o) FROM unnest(ips) WITH ORDINALITY u(x, o)), '{}');
    ha text[] := coalesce((SELECT array_agg(x ORDER BY o) FROM unnest(helos) WITH ORDINALITY u(x, o)), '{NULL}');
    ma text[] := coalesce((SELECT array_agg(x ORDER BY o) FROM unnest(mail_froms) WITH ORDINALITY u(x, o)), '{NULL}');
    ni int := cardinality(ia);
    nh int := cardinality(ha);
    nm int := cardinality(ma);
    n int;
    il inet[];
    hl text[];
    ml text[];
    total int;
    chunk int;
    lo int := 1;
    hi int;
    every int := coalesce(nullif(current_setting('mailauth.bulk_progress', true), '')::int, 0);
    t0 timestamptz := clock_timestamp();
BEGIN
    IF ips IS NULL THEN
        RETURN;
    END IF;
    IF array_ndims(ips) > 1 OR array_ndims(helos) > 1 OR array_ndims(mail_froms) > 1 THEN
        RAISE EXCEPTION 'ips, helos and mail_froms must be one-dimensional arrays' USING ERRCODE = '2202E';
    END IF;
    n := greatest(CASE WHEN ni = 1 THEN -1 ELSE ni END, CASE WHEN nh = 1 THEN -1 ELSE nh END,
                  CASE WHEN nm = 1 THEN -1 ELSE nm END);
    IF n < 0 THEN
        n := 1;
    END IF;
    IF (ni <> 1 AND ni <> n) OR (nh <> 1 AND nh <> n) OR (nm <> 1 AND nm <> n) THEN
        RAISE EXCEPTION 'sender_trust: the arrays ips (%), helos (%) and mail_froms (%) must have the same number of elements', ni, nh, nm
            USING ERRCODE = '22023', HINT = 'An array of one element is used for every row.';
    END IF;
    -- one element is used for every row; a NULL ip skips its row
    SELECT coalesce(array_agg(x.i ORDER BY x.g), '{}'), coalesce(array_agg(x.h ORDER BY x.g), '{}'),
           coalesce(array_agg(x.m ORDER BY x.g), '{}')
      INTO il, hl, ml
      FROM (SELECT g, ia[CASE WHEN ni = 1 THEN 1 ELSE g END] AS i, ha[CASE WHEN nh = 1 THEN 1 ELSE g END] AS h,
                   ma[CASE WHEN nm = 1 THEN 1 ELSE g END] AS m
              FROM generate_series(1, n) g) x
     WHERE x.i IS NOT NULL;
    total := cardinality(il);
    chunk := CASE WHEN every > 0 THEN every ELSE greatest(total, 1) END;
    -- progress is ours: the inner set forms report none
    PERFORM set_config('mailauth.bulk_progress', '0', true);
    WHILE lo <= total LOOP
        hi := least(total, lo + chunk - 1);
        RETURN QUERY
        WITH inp AS (
            SELECT g - lo + 1 AS k, il[g] AS ip, hl[g] AS helo, ml[g] AS mail_from,
                   nullif(lower(rtrim(split_part(coalesce(ml[g], ''), '@', 2), '.')), '') AS dom
              FROM generate_series(lo, hi) g
        ), s AS (
            SELECT x.ordinality AS k, x.result
              FROM @extschema@.spf_verify(ARRAY(SELECT inp.ip FROM inp ORDER BY inp.k),
                                          ARRAY(SELECT inp.mail_from FROM inp ORDER BY inp.k),
                                          ARRAY(SELECT inp.helo FROM inp ORDER BY inp.k)) WITH ORDINALITY x
        ), p AS (
            SELECT x.ordinality AS k, x.status, x.problems, x.generic
              FROM @extschema@.ptr_check(ARRAY(SELECT inp.ip FROM inp ORDER BY inp.k)) WITH ORDINALITY x
        ), hin AS (
            SELECT inp.k, row_number() OVER (ORDER BY inp.k) AS hk FROM inp WHERE inp.helo IS NOT NULL
        ), h AS (
            SELECT hin.k, x.problems
              FROM @extschema@.helo_check(ARRAY(SELECT inp.helo FROM inp WHERE inp.helo IS NOT NULL ORDER BY inp.k),
                                          ARRAY(SELECT inp.ip FROM inp WHERE inp.helo IS NOT NULL ORDER BY inp.k),
                                          ARRAY(SELECT inp.dom FROM inp WHERE inp.helo IS NOT NULL ORDER BY inp.k)) WITH ORDINALITY x
              JOIN hin ON hin.hk = x.ordinality
        ), mx AS (
            SELECT DISTINCT ON (q.query) q.query AS dom, q.status
              FROM @extschema@.dns_lookup(ARRAY(SELECT DISTINCT inp.dom FROM inp WHERE inp.dom IS NOT NULL), 'MX') q
             ORDER BY q.query
        ), a AS (
            SELECT q.query AS dom, bool_or(q.status = 'ok') AS has_a
              FROM @extschema@.dns_lookup(ARRAY(SELECT mx.dom FROM mx WHERE mx.status = 'nodata'), 'A') q
             GROUP BY q.query
        ), f AS (
            SELECT inp.k, s.result AS spf, p.status AS ptr, coalesce(h.problems[1], 'ok') AS helo_result,
                   array_remove(ARRAY[
                       CASE WHEN s.result = 'fail' THEN 'spf_fail' END,
                       CASE WHEN s.result = 'softfail' THEN 'spf_softfail' END,
                       CASE WHEN s.result = 'none' THEN 'no_spf_no_dkim' END,
                       CASE WHEN mx.status = 'nxdomain' OR (mx.status = 'nodata' AND NOT coalesce(a.has_a, false))
                            THEN 'sender_domain_unresolvable' END,
                       CASE WHEN 'no_ptr' = ANY (p.problems) THEN 'no_ptr' END,
                       CASE WHEN 'not_forward_confirmed' = ANY (p.problems) THEN 'ptr_not_confirmed' END,
                       CASE WHEN p.generic THEN 'generic_ptr' END,
                       CASE WHEN h.problems && ARRAY['invalid_syntax', 'bare_ip', 'localhost', 'ip_literal_mismatch',
                                                     'does_not_resolve', 'invalid_tld', 'not_fqdn'] THEN 'bad_helo' END,
                       CASE WHEN s.result = 'temperror' OR p.status = 'temperror' OR 'dns_error' = ANY (h.problems)
                                 OR mx.status IN ('servfail', 'refused', 'timeout', 'formerr', 'error') THEN 'dns_error' END
                   ], NULL) AS fired
              FROM inp
              LEFT JOIN s ON s.k = inp.k
              LEFT JOIN p ON p.k = inp.k
              LEFT JOIN h ON h.k = inp.k
              LEFT JOIN mx ON mx.dom = inp.dom
              LEFT JOIN a ON a.dom = inp.dom
        )
        SELECT inp.ip, inp.helo, inp.mail_from,
               coalesce((SELECT CASE WHEN bool_or(t.verdict = 'untrusted') THEN 'untrusted'
                                     WHEN bool_or(t.verdict = 'low_trust') THEN 'low_trust'
                                     ELSE 'trusted' END
                           FROM @extschema@.sender_trust_rules t WHERE t.code = ANY (f.fired)), 'trusted'),
               f.fired, f.spf, 'none'::text, NULL::text, f.ptr, f.helo_result
          FROM inp JOIN f ON f.k = inp.k
         ORDER BY inp.k;
        IF every > 0 AND total >= every THEN
            RAISE NOTICE '@extschema@.sender_trust: % of % done (% %%), % s', hi, total, hi * 100 / total,
                to_char(extract(epoch FROM clock_timestamp() - t0), 'FM9999999990.0');
        END IF;
        lo := hi + 1;
    END LOOP;
    PERFORM set_config('mailauth.bulk_progress', every::text, true);
END
$$;
COMMENT ON FUNCTION @extschema@.sender_trust(inet[], text[], text[]) IS
'sender_trust for many senders without a message (ip, helo, mail_from), every check concurrent: parallel arrays (one element: for every row); a NULL ip skips the row; helo_result is the single form''s helo column';
REVOKE EXECUTE ON FUNCTION @extschema@.sender_trust(inet[], text[], text[]) FROM PUBLIC;

---------------------------------------------------------------------------
-- Addresses and header hygiene
---------------------------------------------------------------------------

CREATE TYPE @extschema@.address_parts AS (
    display_name text,     -- RFC 2047 words decoded
    local_part text,
    domain text,           -- lowercase, A-label (ASCII) form
    valid boolean,         -- a well-formed single mailbox (obsolete forms tolerated)
    domain_unicode text,   -- U-label form (libidn2)
    problems text[]        -- obsolete_syntax, no_angle_brackets, ... (see the README)
);
CREATE FUNCTION @extschema@.parse_address(address text)
RETURNS @extschema@.address_parts
AS 'MODULE_PATHNAME', 'mailauth_parse_address'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.parse_address(text) IS
'one RFC 5322 mailbox ("Name <user@domain>") taken apart: display name decoded, domain in both IDN forms, problems flagged';

CREATE FUNCTION @extschema@.parse_address_list(addresses text,
    OUT display_name text, OUT local_part text, OUT domain text, OUT valid boolean,
    OUT domain_unicode text, OUT group_name text, OUT problems text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_parse_address_list'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION @extschema@.parse_address_list(text) IS
'every mailbox of an RFC 5322 address list (a To or Cc value, groups included), one row each';

CREATE FUNCTION @extschema@.header_check(message bytea, check_dns boolean DEFAULT false,
    OUT severity text, OUT code text, OUT header text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_header_check_bytea'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 1000 ROWS 3;
CREATE FUNCTION @extschema@.header_check(message text, check_dns boolean DEFAULT false,
    OUT severity text, OUT code text, OUT header text, OUT detail text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_header_check_text'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 1000 ROWS 3;
COMMENT ON FUNCTION @extschema@.header_check(bytea, boolean) IS
'RFC 5322 header hygiene of a message (From, Date, To, Subject, Reply-To, Message-ID, encodings, line lengths); with check_dns, whether the domains of From, Reply-To and To exist and accept mail';
COMMENT ON FUNCTION @extschema@.header_check(text, boolean) IS
'RFC 5322 header hygiene of a message (From, Date, To, Subject, Reply-To, Message-ID, encodings, line lengths); with check_dns, whether the domains of From, Reply-To and To exist and accept mail';
-- with check_dns it sends DNS queries
REVOKE EXECUTE ON FUNCTION @extschema@.header_check(bytea, boolean) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.header_check(text, boolean) FROM PUBLIC;
