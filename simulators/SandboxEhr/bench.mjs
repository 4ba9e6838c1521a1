#!/usr/bin/env node
// Quick write-throughput check of a FHIR server (the sandbox EHR or another):
//   node bench.mjs http://127.0.0.1:8103/fhir/R4 [seconds=10] [concurrency=8] [--plain]
// POSTs valid R4 blood-pressure Observations (bp profile) over keep-alive connections, each with a new identifier and,
// unless --plain, a conditional create (If-None-Exist), as the gateway writes. Prints one JSON line. Bounded in time.
import http from 'node:http';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const plain = process.argv.includes('--plain');
const [base, seconds = '10', concurrency = '8'] = args;
if (!base) {
  process.stderr.write('usage: node bench.mjs BASE_URL [seconds] [concurrency] [--plain]\n');
  process.exit(2);
}
const durationMs = Math.min(Number(seconds), 120) * 1000;
const target = new URL(base.replace(/\/$/, '') + '/Observation');
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const runId = Date.now().toString(36);
const loinc = (code) => ({ coding: [{ system: 'http://loinc.org', code }] });
const mmHg = (value) => ({ value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });

function observation(n) {
  return {
    resourceType: 'Observation',
    meta: { profile: ['http://hl7.org/fhir/StructureDefinition/bp'] },
    identifier: [{ system: 'urn:bench', value: `${runId}-${n}` }],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
    code: loinc('85354-9'),
    subject: { reference: 'Patient/bench' },
    effectiveDateTime: new Date().toISOString(),
    component: [
      { code: loinc('8480-6'), valueQuantity: mmHg(110 + (n % 40)) },
      { code: loinc('8462-4'), valueQuantity: mmHg(70 + (n % 20)) },
    ],
  };
}

let next = 0;
const counts = {};
function post() {
  const n = next++;
  const body = JSON.stringify(observation(n));
  const headers = { 'content-type': 'application/fhir+json', 'content-length': Buffer.byteLength(body) };
  if (!plain) {
    headers['if-none-exist'] = `identifier=urn:bench|${runId}-${n}`;
  }
  return new Promise((resolve) => {
    const req = http.request({ agent, hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => {
        counts[res.statusCode] = (counts[res.statusCode] ?? 0) + 1;
        resolve();
      });
    });
    req.on('error', (err) => {
      counts[err.code ?? 'error'] = (counts[err.code ?? 'error'] ?? 0) + 1;
      resolve();
    });
    req.end(body);
  });
}

const started = Date.now();
const until = started + durationMs;
await Promise.all(
  Array.from({ length: Number(concurrency) }, async () => {
    while (Date.now() < until) {
      await post();
    }
  })
);
const elapsed = (Date.now() - started) / 1000;
agent.destroy();
process.stdout.write(
  JSON.stringify({ mode: plain ? 'create' : 'conditional-create', concurrency: Number(concurrency), seconds: elapsed, byStatus: counts, createdPerSecond: Math.round((counts[201] ?? 0) / elapsed) }) + '\n'
);
