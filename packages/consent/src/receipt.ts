import { CandorError } from '@candor/core';
import { fail, requireRegistry } from './errors';
import type { ConsentEventKind } from './events';
import type { Notice } from './notices';
import type { Benefit, OfferDefinition, OfferRef } from './offers';
import type { PurposeRegistry } from './purposes';
import type { LedgerEntry } from './store';

/**
 * Who is accountable for the processing (Kantara "PII controller"), printed on every receipt.
 *
 * @example
 * const controller: ConsentController = { name: 'Acme Bank', contact: 'Privacy Office', email: 'privacy@acme.example', policyUrl: 'https://acme.example/privacy' };
 */
export interface ConsentController {
  /** Legal name. */
  readonly name: string;
  /** Contact person or office. */
  readonly contact: string;
  /** Contact email. */
  readonly email: string;
  /** Postal address. */
  readonly address?: string;
  /** Phone number. */
  readonly phone?: string;
  /** The controller's website. */
  readonly url?: string;
  /** The privacy policy's URL. */
  readonly policyUrl: string;
  /** Name of the service the consent is for (default: the controller's name). */
  readonly service?: string;
}

/**
 * A consent receipt given to the customer for one change: the Kantara Initiative Consent Receipt
 * v1.1 fields, and the same facts laid out as an ISO/IEC TS 27560 consent record (notice, PII
 * principal, processing with legal basis, the event and its state), tied to the ledger entry by id
 * and hash.
 *
 * @example
 * const receipt = manager.receipt(change.entry);
 * receipt.kantara.consentReceiptID === change.entry.id; // true
 */
export interface ConsentReceipt {
  /** What the customer shares and what they get for it, per purpose. */
  readonly valueExchange: readonly ValueExchange[];
  /** Kantara Consent Receipt v1.1 fields. */
  readonly kantara: {
    readonly version: 'KI-CR-v1.1.0';
    readonly jurisdiction: string;
    /** Seconds since the epoch, as Kantara specifies. */
    readonly consentTimestamp: number;
    readonly collectionMethod: string;
    readonly consentReceiptID: string;
    readonly language: string;
    readonly piiPrincipalId: string;
    readonly piiControllers: readonly {
      readonly piiController: string;
      readonly onBehalf: boolean;
      readonly contact: string;
      readonly address?: string;
      readonly email: string;
      readonly phone?: string;
      readonly piiControllerUrl?: string;
    }[];
    readonly policyUrl: string;
    readonly services: readonly {
      readonly service: string;
      readonly purposes: readonly {
        readonly purpose: string;
        readonly purposeCategory: readonly string[];
        readonly consentType: 'EXPLICIT' | 'IMPLICIT';
        readonly piiCategory: readonly string[];
        readonly primaryPurpose: boolean;
        readonly termination: string;
        readonly thirdPartyDisclosure: boolean;
      }[];
    }[];
    readonly sensitive: boolean;
    readonly spiCat: readonly string[];
  };
  /** The same change laid out as an ISO/IEC TS 27560 consent record. */
  readonly iso27560: {
    readonly schemaVersion: 'ISO/IEC TS 27560:2023';
    readonly recordId: string;
    readonly piiPrincipalId: string;
    readonly notice: {
      readonly id: string;
      readonly version: string;
      readonly contentHash: string;
      readonly language: string | null;
      readonly url: string | null;
    } | null;
    readonly processing: readonly {
      readonly purposeId: string;
      readonly purpose: string;
      readonly legalBasis: string | null;
      readonly dataCategories: readonly string[];
      readonly dpv: readonly string[];
    }[];
    readonly event: {
      readonly type: ConsentEventKind;
      readonly state:
        | 'given'
        | 'refused'
        | 'withdrawn'
        | 'revoked'
        | 'expired'
        | 'objected'
        | 'observed';
      readonly time: string;
      readonly recordedAt: string;
      readonly method: string;
      readonly surface: string | null;
      readonly uiVersion: string | null;
      readonly actor: string;
      readonly expiresAt: string | null;
      readonly reason: string | null;
    };
    readonly jurisdiction: string | null;
    readonly controller: string;
    readonly proof: { readonly sequence: number; readonly hash: string; readonly prevHash: string };
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What a receipt is built from besides the entry: the purpose registry, the notices (e.g.
 * `manager.notices`) and the accountable controller.
 *
 * @example
 * const context: ReceiptContext = { purposes, notices: manager.notices, controller };
 */
export interface ReceiptContext {
  /** The purpose registry (titles, data categories, DPV mappings). */
  readonly purposes: PurposeRegistry;
  /** Declared notices, to print the language and URL of the one the event refers to. */
  readonly notices?: readonly Notice[];
  /** Who is accountable (required: a receipt must say who). */
  readonly controller: ConsentController;
  /** Declared offers, to print what a grant made under one gives the customer. */
  readonly offers?: readonly OfferDefinition[];
}

/**
 * "You share X, you get Y" for one purpose of a receipt: the data categories the choice is about,
 * and the benefit — the offer's the grant was made under, else the purpose's (`null`: none
 * declared).
 *
 * @example
 * for (const v of receipt.valueExchange) console.log(v.dataCategories.join(), '→', v.benefit?.text);
 */
export interface ValueExchange {
  readonly purposeId: string;
  readonly purpose: string;
  readonly dataCategories: readonly string[];
  readonly benefit: Benefit | null;
  /** The offer the grant was made under (`null`: none). */
  readonly offer: OfferRef | null;
}

/**
 * Builds the receipt for a ledger entry (a change). Throws `consent/missing_controller` when
 * no controller is given (a receipt must say who is accountable). Separate from the manager so
 * browser bundles that never issue receipts do not carry it.
 *
 * @example
 * const { entry } = await manager.grant({ subject: 'cus_1', purposes: 'marketing.email' });
 * const receipt = createReceipt(entry, { purposes, notices: manager.notices, controller });
 */
export function createReceipt(entry: LedgerEntry, context: ReceiptContext): ConsentReceipt {
  const given = entry as { readonly event?: { purposes?: unknown; actor?: unknown } } | null;
  if (
    typeof given !== 'object' ||
    given === null ||
    typeof given.event !== 'object' ||
    given.event === null ||
    !Array.isArray(given.event.purposes) ||
    typeof given.event.actor !== 'object' ||
    given.event.actor === null
  ) {
    fail('consent/invalid_entry', 'entry', entry, 'must be a ledger entry');
  }
  if (typeof context !== 'object' || context === null) {
    fail('core/invalid_input', 'context', context, 'must be an object');
  }
  const { purposes: registry, notices = [], controller, offers = [] } = context;
  if (!controller) {
    throw new CandorError(
      'consent/missing_controller',
      'Receipts need a `controller` option on createConsentManager (who is accountable)',
      { path: 'controller', value: controller },
    );
  }
  requireRegistry(registry, 'context.purposes');
  if (!Array.isArray(notices as unknown)) {
    fail('consent/invalid_notice', 'context.notices', notices, 'must be an array of notices');
  }
  const { event } = entry;
  const notice = event.notice
    ? notices.find(
        (n) =>
          n.id === event.notice?.id &&
          n.version === event.notice.version &&
          n.contentHash === event.notice.contentHash,
      )
    : undefined;
  // A choice about some data categories only is about those; else about every category declared.
  const chosen = Array.isArray(event.dataCategories) ? event.dataCategories : undefined;
  const purposes = event.purposes.map((id) => {
    const def = registry.get(id);
    return {
      id,
      title: def?.title ?? id,
      categories: chosen ?? def?.categories ?? [],
      dpv: def?.dpv ?? [],
      necessary: def?.necessary === true,
      benefit: def?.benefit ?? null,
    };
  });
  const offer = event.offer ?? null;
  const offered = offer
    ? (offers.find((o) => o.id === offer.id && o.version === offer.version)?.benefit ?? null)
    : null;
  const spiCat = [
    ...new Set(purposes.flatMap((p) => p.categories.filter((c) => registry.isSensitive(c)))),
  ];
  const termination =
    event.expiresAt !== undefined
      ? `Until ${iso(event.expiresAt)} or until withdrawn`
      : 'Until withdrawn';
  const state =
    event.kind === 'renewed'
      ? 'given'
      : event.kind === 'signal_observed' || event.kind === 'notice_shown'
        ? 'observed'
        : event.kind;
  return {
    valueExchange: purposes.map((p) => ({
      purposeId: p.id,
      purpose: p.title,
      dataCategories: p.categories,
      benefit: offered ?? p.benefit,
      offer,
    })),
    kantara: {
      version: 'KI-CR-v1.1.0',
      jurisdiction: event.jurisdiction ?? 'unknown',
      consentTimestamp: Math.floor(event.at / 1000),
      collectionMethod: event.surface ? `${event.method} (${event.surface})` : event.method,
      consentReceiptID: entry.id,
      language: notice?.language ?? 'und',
      piiPrincipalId: entry.subject,
      piiControllers: [
        {
          piiController: controller.name,
          onBehalf: false,
          contact: controller.contact,
          email: controller.email,
          ...(controller.address !== undefined ? { address: controller.address } : {}),
          ...(controller.phone !== undefined ? { phone: controller.phone } : {}),
          ...(controller.url !== undefined ? { piiControllerUrl: controller.url } : {}),
        },
      ],
      policyUrl: notice?.url ?? controller.policyUrl,
      services: [
        {
          service: controller.service ?? controller.name,
          purposes: purposes.map((p) => ({
            purpose: p.title,
            purposeCategory: [p.id, ...p.dpv],
            consentType:
              event.method === 'gpc' || event.method === 'import' ? 'IMPLICIT' : 'EXPLICIT',
            piiCategory: p.categories,
            primaryPurpose: p.necessary,
            termination,
            thirdPartyDisclosure: false,
          })),
        },
      ],
      sensitive: spiCat.length > 0,
      spiCat,
    },
    iso27560: {
      schemaVersion: 'ISO/IEC TS 27560:2023',
      recordId: entry.id,
      piiPrincipalId: entry.subject,
      notice: event.notice
        ? {
            ...event.notice,
            language: notice?.language ?? null,
            url: notice?.url ?? null,
          }
        : null,
      processing: purposes.map((p) => ({
        purposeId: p.id,
        purpose: p.title,
        legalBasis: event.basis ?? null,
        dataCategories: p.categories,
        dpv: p.dpv,
      })),
      event: {
        type: event.kind,
        state,
        time: iso(event.at),
        recordedAt: iso(entry.recordedAt),
        method: event.method,
        surface: event.surface ?? null,
        uiVersion: event.uiVersion ?? null,
        actor: event.actor.id ? `${event.actor.kind}:${event.actor.id}` : event.actor.kind,
        expiresAt: event.expiresAt !== undefined ? iso(event.expiresAt) : null,
        reason: event.reason ?? null,
      },
      jurisdiction: event.jurisdiction ?? null,
      controller: controller.name,
      proof: { sequence: entry.sequence, hash: entry.hash, prevHash: entry.prevHash },
    },
  };
}
