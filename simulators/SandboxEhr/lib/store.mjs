// Resource storage: Medplum's MemoryRepository (data is gone when the process ends) with what a FHIR server needs
// and it leaves out. MemoryRepository does not validate and its withTransaction does not roll back. This subclass
// validates every write and keeps an undo journal while a transaction Bundle runs, so a failed transaction leaves no
// trace (R4 3.1.0.11.2).
import { globalSchema } from '@medplum/core';
import { MemoryRepository } from '@medplum/fhir-router';
import { validate } from './validation.mjs';

class SandboxRepository extends MemoryRepository {
  journal = undefined;
  prevalidated = undefined;
  // type -> token key -> ids, and type/id -> keys: conditional creates (If-None-Exist: identifier=system|value) and
  // identifier searches look up candidates here instead of scanning every stored resource.
  identifierIndex = new Map();
  indexedKeys = new Map();

  // Lower-cased, so the candidates are never fewer than what the search itself (which still runs) matches.
  static identifierKey(system, value) {
    return system === undefined ? `v:${value.toLowerCase()}` : `sv:${system.toLowerCase()}|${value.toLowerCase()}`;
  }

  static identifierKeys(resource) {
    const keys = [];
    for (const identifier of Array.isArray(resource?.identifier) ? resource.identifier : []) {
      if (typeof identifier?.value === 'string') {
        keys.push(SandboxRepository.identifierKey(undefined, identifier.value));
        if (typeof identifier.system === 'string') {
          keys.push(SandboxRepository.identifierKey(identifier.system, identifier.value));
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
    // Token search syntax (R4 Search, "token"): [code], [system]|[code], |[code] or [system]|; a comma is "or".
    // Only the first two name one identifier.
    if (typeof value !== 'string' || value.length === 0 || /[,\\]/.test(value)) {
      return undefined;
    }
    const bar = value.indexOf('|');
    let key;
    if (bar < 0) {
      key = SandboxRepository.identifierKey(undefined, value);
    } else if (bar > 0 && bar < value.length - 1) {
      key = SandboxRepository.identifierKey(value.slice(0, bar), value.slice(bar + 1));
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

export const repo = new SandboxRepository();

// Node runs one request's JavaScript at a time, but a handler awaits between steps; without this queue two
// conditional creates could interleave between search and create, and a transaction could see another's writes.
let queueTail = Promise.resolve();
export function serialized(fn) {
  const run = queueTail.then(fn, fn);
  queueTail = run.then(
    () => undefined,
    () => undefined
  );
  return run;
}
