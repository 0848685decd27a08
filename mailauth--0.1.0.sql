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
