// The city's processing-register widget's Explore v2.1 calls, made with Opendatasoft's
// own JavaScript client (@opendatasoft/api-client) against a live Belfort. Prints what it
// received as one JSON document. Called by tests/register/test_dataset.py with the
// server's base URL and a word to search for.
import apiClient from '@opendatasoft/api-client'; // published as CommonJS (UMD)

const { ApiClient, fromCatalog } = apiClient;

const [domain, word] = process.argv.slice(2);
const client = new ApiClient({ domain, hideDeprecatedWarning: true });
const register = () => fromCatalog().dataset('verwerkingsregister-stad-gent');

const out = {};
let facets = register().facets();
for (const name of ['processor', 'personaldata', 'grantees', 'type', 'formal_framework', 'audience']) {
  facets = facets.facet(name);
}
out.facets = await client.get(facets.refine('audience:burger').toString());
out.pages = [];
for (const offset of [0, 5]) {
  out.pages.push(await client.get(
    register().records().limit(10).offset(offset).orderBy('name').refine('audience:burger').toString(),
  ));
}
out.search = await client.get(
  register().records().limit(10).offset(0).orderBy('name').refine('audience:burger')
    .where(`search(name, "${word}")`).toString(),
);
out.grantee = await client.get(register().records().refine('grantees:Stad Gent').limit(100).toString());
process.stdout.write(JSON.stringify(out));
