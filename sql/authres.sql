-- parse_authentication_results: RFC 8601 and Received-SPF, pure (IMMUTABLE)
SELECT * FROM mailauth.parse_authentication_results('example.com; none');
SELECT * FROM mailauth.parse_authentication_results('example.com; spf=pass smtp.mailfrom=example.net');
SELECT * FROM mailauth.parse_authentication_results(
  'Authentication-Results: example.com 1; (this is a comment) dkim=pass (good signature) header.d=example.org header.s="sel 1";
     spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=<bounce@example.org>; dmarc=fail reason="policy rejects" header.from=example.org policy.dmarc=reject');
-- a real-world Gmail header
SELECT method, result, reason, properties FROM mailauth.parse_authentication_results(
  'mx.google.com;
       dkim=pass header.i=@example.com header.s=20230601 header.b=Abc123de;
       spf=pass (google.com: domain of a@example.com designates 192.0.2.7 as permitted sender) smtp.mailfrom=a@example.com;
       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com');
-- Received-SPF
SELECT * FROM mailauth.parse_authentication_results(
  'Received-SPF: pass (mybox.example.org: domain of myname@example.com designates 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1; envelope-from="myname@example.com"; helo=foo.example.com;');
-- a whole message: several fields, folding, the body ignored
SELECT authserv_id, method, result, properties->>'header.d' AS d
  FROM mailauth.parse_authentication_results(E'Received: from mx.example.org\r\nAuthentication-Results: mx.example.org;\r\n\tdkim=pass header.d=example.com\r\nAuthentication-Results: relay.example.net; spf=softfail\r\n smtp.mailfrom=example.com\r\nSubject: hi\r\n\r\nAuthentication-Results: body.example; dkim=fail\r\n');
-- the same property twice is an array
SELECT properties FROM mailauth.parse_authentication_results('x.example; dkim=pass header.d=a.example header.d=b.example');
-- junk gives rows or nothing, never an error
SELECT count(*) FROM mailauth.parse_authentication_results('');
SELECT count(*) FROM mailauth.parse_authentication_results('((((((((unterminated');
SELECT count(*) FROM mailauth.parse_authentication_results(repeat(';', 100000));
SELECT count(*) FROM mailauth.parse_authentication_results(repeat('(', 10000) || 'x.example; spf=pass');
SELECT count(*) FROM mailauth.parse_authentication_results('x.example; ' || repeat('spf=pass; ', 20000));
-- usable by everyone, and labelled as a pure function
SELECT provolatile, proparallel, has_function_privilege('public', oid, 'EXECUTE') AS public_exec
  FROM pg_proc WHERE proname = 'parse_authentication_results';
