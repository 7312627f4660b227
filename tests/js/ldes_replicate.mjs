// Replicates a Linked Data Event Stream from a live Belfort with the reference client
// (npm ldes-client) and prints every member it emits as one JSON line:
// {"id", "isVersionOf", "timestamp", "type", "quads"}. The last line is {"done": n}.
//
//   node ldes_replicate.mjs <stream url> [--follow] [--until <n>] [--poll <ms>] [--quiet]
//
// Without --follow the client replicates the stream and stops. With --follow it keeps
// polling the open page (as `ldes-client --follow` does) and stops after --until members.
// --quiet prints only the final line (for the benchmark). Called by
// tests/linked/test_ldes_client.py and bench/ldes_bench.py.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replicateLDES } from 'ldes-client';

const args = process.argv.slice(2);
const url = args[0];
const follow = args.includes('--follow');
const quiet = args.includes('--quiet');
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const until = option('--until', Infinity);
const pollInterval = option('--poll', 200);

// the client's state (every member it emitted) in a directory of our own, removed at the end
const statePath = fs.mkdtempSync(path.join(os.tmpdir(), 'belfort-ldes-client-'));
const client = replicateLDES({ url, polling: follow, pollInterval, statePath, startFresh: true });
const reader = client.stream({ highWaterMark: 100 }).getReader();
let count = 0;
const started = Date.now();
while (count < until) {
  const { value, done } = await reader.read();
  if (done) break;
  count += 1;
  if (!quiet) {
    process.stdout.write(JSON.stringify({
      id: value.id.value,
      isVersionOf: value.isVersionOf ?? null,
      timestamp: value.timestamp instanceof Date ? value.timestamp.toISOString() : (value.timestamp ?? null),
      type: value.type?.value ?? null,
      quads: value.quads.length,
    }) + '\n');
  }
}
process.stdout.write(JSON.stringify({ done: count, seconds: (Date.now() - started) / 1000 }) + '\n');
await reader.cancel().catch(() => {});
fs.rmSync(statePath, { recursive: true, force: true });
process.exit(0);
