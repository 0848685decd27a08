-- mailauth: installation, schema, labels
CREATE EXTENSION mailauth;
SELECT extname, extversion, extrelocatable, nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'mailauth';
SELECT mailauth.version() = extversion AS version_matches
  FROM pg_extension WHERE extname = 'mailauth';

-- every function with its labels: volatility, strictness, parallel safety,
-- and whether PUBLIC may execute it
SELECT p.oid::regprocedure AS function,
       p.provolatile, p.proisstrict, p.proparallel, p.procost,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_exec
  FROM pg_proc p
 WHERE p.pronamespace = 'mailauth'::regnamespace
 ORDER BY 1, 2;

-- a helper for the other test files: the SQLSTATE and message of a statement
CREATE FUNCTION public.sqlstate_of(stmt text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  detail text;
BEGIN
  EXECUTE stmt;
  RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
  RETURN SQLSTATE || ': ' || SQLERRM || coalesce(nullif(' / ' || detail, ' / '), '');
END $$;
