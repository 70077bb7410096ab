import { CandorError, type ConsentGate, type Instant, type SubjectId } from '@candor/core';
import { GVL, TCModel, TCString } from '@iabtechlabtcf/core';
import { fail, requireGate, requireRegistry } from './errors';
import type { PurposeRegistry } from './purposes';
import type { ImportRecord } from './types';

/**
 * A Global Vendor List: an `@iabtechlabtcf/core` `GVL` instance, or the vendor-list JSON it is
 * built from (e.g. `vendor-list.json` fetched from the IAB and cached by your server).
 *
 * @example
 * const gvl: TcfVendorList = await (await fetch('/cmp/vendor-list.json')).json();
 */
export type TcfVendorList = GVL | ConstructorParameters<typeof GVL>[0];

/**
 * Options of {@link toTcString}.
 *
 * @example
 * const options: TcfExportOptions = { gvl, cmpId: 300, cmpVersion: 2, publisherCountryCode: 'FR' };
 */
export interface TcfExportOptions {
  /** The Global Vendor List the string refers to. */
  readonly gvl: TcfVendorList;
  /** Your registered CMP id. */
  readonly cmpId: number;
  /** Your CMP version. */
  readonly cmpVersion: number;
  /** Country of the publisher (ISO 3166-1 alpha-2). */
  readonly publisherCountryCode?: string;
  /** Which consent screen the choice was made on. */
  readonly consentScreen?: number;
  /** Vendor ids (from the GVL) the subject agreed to. Default: none. */
  readonly vendors?: readonly number[];
  /** Evaluate consent as of this instant (default: now); also the string's `lastUpdated`. */
  readonly at?: Instant;
  /** `created` timestamp (default: `at`). */
  readonly createdAt?: Instant;
}

function tcfPurposes(registry: PurposeRegistry): Map<number, string[]> {
  const byTcf = new Map<number, string[]>();
  for (const id of registry.ids) {
    for (const n of registry.get(id)?.tcf ?? []) {
      const list = byTcf.get(n);
      if (list) list.push(id);
      else byTcf.set(n, [id]);
    }
  }
  return byTcf;
}

/**
 * Encodes a subject's consent as an IAB TCF v2.2 TC string. A TCF purpose's consent bit is set
 * only when every registry purpose mapped to it (`tcf: [...]`) is allowed on the consent basis;
 * its legitimate-interest bit only when every one is allowed on legitimate interest. Unmapped
 * purposes stay unset (fail closed).
 *
 * @example
 * import { toTcString } from '@candor/consent/tcf';
 * const tcString = toTcString(manager, purposes, 'cus_1', { gvl, cmpId: 300, cmpVersion: 2 });
 */
export function toTcString(
  gate: ConsentGate,
  registry: PurposeRegistry,
  subject: SubjectId,
  options: TcfExportOptions,
): string {
  requireGate(gate, 'gate');
  requireRegistry(registry, 'registry');
  if (typeof options !== 'object' || options === null) {
    fail('consent/invalid_tcf_options', 'options', options, 'must be an object');
  }
  let model: TCModel;
  try {
    const gvl = options.gvl instanceof GVL ? options.gvl : new GVL(options.gvl);
    model = new TCModel(gvl);
    model.cmpId = options.cmpId;
    model.cmpVersion = options.cmpVersion;
    model.isServiceSpecific = true;
    if (options.publisherCountryCode) model.publisherCountryCode = options.publisherCountryCode;
    if (options.consentScreen !== undefined) model.consentScreen = options.consentScreen;
  } catch (cause) {
    throw new CandorError(
      'consent/invalid_tcf_options',
      `TCF options rejected: ${cause instanceof Error ? cause.message : String(cause)}`,
      { path: 'options', value: { cmpId: options.cmpId, cmpVersion: options.cmpVersion } },
      { cause },
    );
  }
  for (const [n, ids] of tcfPurposes(registry)) {
    const verdicts = ids.map((purpose) =>
      gate.decide({
        subject,
        purpose,
        dataCategories: registry.get(purpose)?.categories ?? [],
        ...(options.at !== undefined ? { at: options.at } : {}),
      }),
    );
    if (verdicts.every((v) => v.allowed && v.basis === 'consent')) model.purposeConsents.set(n);
    if (verdicts.every((v) => v.allowed && v.basis === 'legitimate_interest')) {
      model.purposeLegitimateInterests.set(n);
    }
  }
  if (options.vendors?.length) model.vendorConsents.set([...options.vendors]);
  const at = options.at;
  if (at !== undefined) {
    model.lastUpdated = new Date(at);
    model.created = new Date(options.createdAt ?? at);
  }
  return TCString.encode(model);
}

/**
 * A decoded TC string: its metadata, the raw TCF bits, and what they mean for your registry
 * (`granted`: every TCF purpose a registry purpose maps to has consent; `refused`: the rest of
 * the mapped purposes).
 *
 * @example
 * const decoded = fromTcString(tcString, purposes);
 * decoded.granted; // ['ads.targeted']
 */
export interface TcfDecoded<P extends string> {
  readonly cmpId: number;
  readonly cmpVersion: number;
  readonly policyVersion: number;
  readonly vendorListVersion: number;
  readonly created: Instant;
  readonly lastUpdated: Instant;
  readonly purposeConsents: readonly number[];
  readonly purposeLegitimateInterests: readonly number[];
  readonly vendorConsents: readonly number[];
  readonly granted: readonly P[];
  readonly refused: readonly P[];
}

const ids = (vector: { forEach(cb: (value: boolean, id: number) => void): void }) => {
  const out: number[] = [];
  vector.forEach((value, id) => {
    if (value) out.push(id);
  });
  return out;
};

/**
 * Decodes an IAB TCF v2.x TC string against your registry. Throws `consent/invalid_tc_string`
 * naming the string when it cannot be decoded.
 *
 * @example
 * const decoded = fromTcString(cookieValue, purposes);
 */
export function fromTcString<P extends string>(
  tcString: string,
  registry: PurposeRegistry<P>,
): TcfDecoded<P> {
  let model: TCModel;
  try {
    if (typeof tcString !== 'string' || tcString.length === 0) throw new Error('empty');
    requireRegistry(registry, 'registry');
    model = TCString.decode(tcString);
  } catch (cause) {
    if (cause instanceof CandorError) throw cause;
    throw new CandorError(
      'consent/invalid_tc_string',
      `Not a decodable TC string: ${String(cause instanceof Error ? cause.message : cause)}`,
      { path: 'tcString', value: tcString },
      { cause },
    );
  }
  const consents = new Set(ids(model.purposeConsents));
  const granted: P[] = [];
  const refused: P[] = [];
  for (const id of registry.ids) {
    const tcf = registry.get(id)?.tcf;
    if (!tcf?.length) continue;
    (tcf.every((n) => consents.has(n)) ? granted : refused).push(id);
  }
  return {
    cmpId: Number(model.cmpId),
    cmpVersion: Number(model.cmpVersion),
    policyVersion: Number(model.policyVersion),
    vendorListVersion: Number(model.vendorListVersion),
    created: model.created.getTime(),
    lastUpdated: model.lastUpdated.getTime(),
    purposeConsents: [...consents],
    purposeLegitimateInterests: ids(model.purposeLegitimateInterests),
    vendorConsents: ids(model.vendorConsents),
    granted,
    refused,
  };
}

/**
 * Turns a decoded TC string into records for `manager.import()`: one `given` for the granted
 * purposes and one `refused` for the refused ones, dated at the string's `lastUpdated`, method
 * `import`, surface `tcf`.
 *
 * @example
 * await manager.import(tcfImportRecords(fromTcString(tcString, purposes), 'cus_1'));
 */
export function tcfImportRecords<P extends string>(
  decoded: TcfDecoded<P>,
  subject: SubjectId,
): ImportRecord<P>[] {
  if (
    typeof decoded !== 'object' ||
    decoded === null ||
    !Array.isArray(decoded.granted) ||
    !Array.isArray(decoded.refused)
  ) {
    fail('consent/invalid_tc_string', 'decoded', decoded, 'must be the result of fromTcString()');
  }
  const out: ImportRecord<P>[] = [];
  const base = { subject, at: decoded.lastUpdated, method: 'import', surface: 'tcf' } as const;
  if (decoded.granted.length) out.push({ ...base, kind: 'given', purposes: decoded.granted });
  if (decoded.refused.length) out.push({ ...base, kind: 'refused', purposes: decoded.refused });
  return out;
}
