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

CREATE FUNCTION @extschema@.ptr_lookup(ip inet, OUT name text, OUT ttl integer)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'mailauth_ptr_lookup'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE COST 10000 ROWS 1;
COMMENT ON FUNCTION @extschema@.ptr_lookup(inet) IS
'PTR names of an IPv4 (in-addr.arpa) or IPv6 (ip6.arpa) address';

CREATE FUNCTION @extschema@.dns_cache_stats(
    OUT entries bigint, OUT max_entries bigint, OUT memory_bytes bigint,
    OUT hits bigint, OUT misses bigint, OUT expired bigint, OUT evictions bigint,
    OUT lookups bigint, OUT queries_sent bigint, OUT answers bigint,
    OUT timeouts bigint, OUT nxdomain bigint, OUT nodata bigint,
    OUT servfail bigint, OUT refused bigint, OUT formerr bigint,
    OUT errors bigint, OUT cname_follows bigint, OUT interrupts bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'mailauth_dns_cache_stats'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.dns_cache_stats() IS
'counters of this backend''s DNS cache and resolver since the last dns_cache_reset()';

CREATE FUNCTION @extschema@.dns_cache_reset()
RETURNS void
AS 'MODULE_PATHNAME', 'mailauth_dns_cache_reset'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;
COMMENT ON FUNCTION @extschema@.dns_cache_reset() IS
'empty this backend''s DNS cache and zero its counters';

-- Functions that send DNS queries: granted explicitly, never to PUBLIC.
REVOKE EXECUTE ON FUNCTION @extschema@.dns_lookup(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.dns_lookup(text[], text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.mx_lookup(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.ptr_lookup(inet) FROM PUBLIC;

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

REVOKE EXECUTE ON FUNCTION @extschema@.spf_check(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_check(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_record(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_record(text[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@.spf_includes(text, text) FROM PUBLIC;

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
