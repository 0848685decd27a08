-- test/pgbench/setup.sql: what test/pgbench/mixed.sql needs, created by
-- test/pgbench.sh before the run (the fixtures are inserted by the script).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS mailauth;
DROP SCHEMA IF EXISTS pgb CASCADE;
CREATE SCHEMA pgb;
CREATE TABLE pgb.bounce(id int PRIMARY KEY, raw bytea, utf8 boolean);
CREATE TABLE pgb.msg(id int PRIMARY KEY, raw text);

-- runs stmt, which must raise SQLSTATE state: the error is caught (a caught
-- error is not logged), any other outcome raises "unexpected: ..." and so
-- aborts the pgbench client
CREATE FUNCTION pgb.expect_error(stmt text, state text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
  got text;
BEGIN
  BEGIN
    EXECUTE stmt;
  EXCEPTION WHEN OTHERS THEN
    got := SQLSTATE;
    IF got = state THEN
      RETURN got;
    END IF;
    RAISE EXCEPTION 'unexpected: % gave SQLSTATE % (%), expected %', stmt, got, SQLERRM, state;
  END;
  RAISE EXCEPTION 'unexpected: % raised no error, expected SQLSTATE %', stmt, state;
END $$;
