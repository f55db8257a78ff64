// The graphql-http package's server audits (its version pinned by js/package-lock.json) against
// URL; prints the results as JSON. Run by tests/test_graphql_http.py against a live server.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const report = await Promise.all(
  results.map(async (result) => ({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: result.reason ?? null,
    response:
      result.response && result.status !== 'ok'
        ? {
            status: result.response.status,
            contentType: result.response.headers.get('content-type'),
            body: (await result.response.text()).slice(0, 500),
          }
        : null,
  })),
);
process.stdout.write(JSON.stringify(report));
