// Runs Opendatasoft's own JavaScript client (@opendatasoft/api-client) against a live
// Belfort and prints what it received as one JSON document. Called by
// tests/api/ods/test_js_client.py with the server's base URL.
import apiClient from '@opendatasoft/api-client'; // published as CommonJS (UMD)

const { ApiClient, fromCatalog } = apiClient;

const domain = process.argv[2];
const client = new ApiClient({ domain, hideDeprecatedWarning: true });

const out = {};
out.catalog = await client.get(fromCatalog().datasets().limit(100).toString());
out.dataset = await client.get(fromCatalog().dataset('fietstelpalen-gent').itself().toString());
out.records = await client.get(
  fromCatalog().dataset('fietstelpalen-gent').records()
    .select('naam, code').where("eigenaar = 'Stad Gent'").orderBy('naam').limit(3).toString(),
);
out.grouped = await client.get(
  fromCatalog().dataset('fietstelpalen-gent').records()
    .groupBy('eigenaar').select('count(*) as n').orderBy('n desc').toString(),
);
out.facets = await client.get(
  fromCatalog().dataset('fietstelpalen-gent').facets().facet('eigenaar').toString(),
);
try {
  await client.get(fromCatalog().dataset('fietstelpalen-gent').records().where('naam = = 1').toString());
  out.error = null;
} catch (error) {
  out.error = { name: error.constructor.name, status: error.response?.status ?? null };
}
process.stdout.write(JSON.stringify(out));
