import type { MessageCatalog } from '../catalog';

/**
 * The built-in German catalog (formal "Sie"). Sagt klar, dass unsere Systeme Daten verwendet
 * haben, ohne einen Menschen oder Vertrautheit vorzutäuschen.
 *
 * @example
 * createExplainer({ locale: 'de' });
 */
export const de: MessageCatalog = {
  locale: 'de',
  version: '1',
  messages: {
    'heading.title': 'Warum Sie das sehen',
    'heading.reasons': 'Was unsere Systeme geprüft haben',
    'heading.data': 'Daten, die unsere Systeme verwendet haben',
    'heading.purpose': 'Zweck',
    'heading.controls': 'Ihre Möglichkeiten',
    'heading.withheld': 'Hier nicht angezeigt',
    short:
      'Weil unsere Systeme {shownCount, plural, =0 {Informationen, die hier nicht angezeigt werden,} other {{dataList}}} verwendet haben.',
    summary:
      'Sie sehen diese {channel} zum Thema {topic}, weil unsere automatisierten Systeme {shownCount, plural, =0 {Informationen, die hier nicht angezeigt werden,} other {{dataList}}} für {purpose} verwendet haben.',
    'clause.condition':
      'Unsere Systeme haben {data} ({actual}) geprüft: {operator, select, equal {der Wert ist} notEqual {der Wert ist nicht} lessThan {der Wert ist kleiner als} lessThanInclusive {der Wert ist höchstens} greaterThan {der Wert ist größer als} greaterThanInclusive {der Wert ist mindestens} in {der Wert ist einer von} notIn {der Wert ist keiner von} contains {der Wert enthält} doesNotContain {der Wert enthält nicht} before {der Wert liegt vor} after {der Wert liegt nach} within {der Wert liegt innerhalb von} other {der Wert erfüllt}} {expected}.',
    'clause.generic': 'Unsere Systeme haben {data} verwendet.',
    'counterfactual.condition':
      'Sie hätten diese {channel} nicht erhalten, wenn diese Prüfung anders ausgefallen wäre: {data} {operator, select, equal {gleich} notEqual {ungleich} lessThan {kleiner als} lessThanInclusive {höchstens} greaterThan {größer als} greaterThanInclusive {mindestens} in {einer von} notIn {keiner von} contains {enthält} doesNotContain {enthält nicht} before {vor} after {nach} within {innerhalb von} other {passend zu}} {expected}.',
    'counterfactual.generic':
      'Sie hätten diese {channel} nicht erhalten, wenn unsere Systeme {shownCount, plural, =0 {die hier nicht angezeigten Informationen} other {{dataList}}} nicht gehabt hätten.',
    'data.line':
      '{data} ({value}): {kind, select, stated {von Ihnen angegeben} observed {aus Ihrer Nutzung erfasst} inferred {von unseren Systemen geschätzt, nicht von Ihnen angegeben} derived {von unseren Systemen aus anderen Daten berechnet} other {Herkunft nicht erfasst}}; Quelle: {source}{party, select, third { (ein Partner)} other {}}.',
    'data.observed': 'Erfasst am {observedAt}.',
    'data.stale': 'Dies ist möglicherweise nicht mehr aktuell.',
    'data.change': 'Prüfen oder korrigieren',
    'data.withValue': '{data} ({value})',
    'purpose.line':
      'Zweck: {purpose}. Rechtsgrundlage: {basis, select, consent {Ihre Einwilligung} legitimate_interest {unser berechtigtes Interesse} contract {unser Vertrag mit Ihnen} legal_obligation {eine rechtliche Verpflichtung} other {derzeit keine}}.{allowedNow, select, no { Dieser Zweck ist für Sie derzeit nicht aktiv.} other {}}',
    'decision.source':
      'Entschieden von {kind, select, rule {einer automatisierten Regel} model {einem automatisierten Modell} manual {einer von unseren Mitarbeitenden konfigurierten Einstellung} other {unseren Systemen}} ({id}, Version {version}) am {decidedAt}.',
    'control.turnOffData':
      '{mechanism, select, object {Widersprechen, dass {data} für {purpose} verwendet werden} other {{data} nicht mehr für {purpose} verwenden}}',
    'control.stopPurpose':
      '{mechanism, select, object {Dem Zweck „{purpose}“ widersprechen} other {Zweck „{purpose}“ ausschalten}}',
    'control.muteTopic': 'Nachrichten zum Thema {topic} stummschalten',
    'control.fewer': 'Weniger Nachrichten dieser Art',
    'control.correct': '{data} korrigieren',
    'control.manage': 'Alle Datenschutz- und Nachrichteneinstellungen verwalten',
    'control.chooseChannel': 'Festlegen, wie Sie Nachrichten zum Thema {topic} erhalten',
    'control.criticalNote':
      'Sicherheitswarnungen wie diese können Sie nicht stummschalten, weil sie Ihr Konto schützen; Sie können aber wählen, auf welchem Weg sie Sie erreichen.',
    'withheld.consent':
      '{count, plural, one {Eine Information wird} other {# Informationen werden}} nicht angezeigt, weil Ihre Datenschutzeinstellungen die Verwendung für diesen Zweck derzeit nicht erlauben.',
    'withheld.sensitive':
      '{count, plural, one {Eine Information wird nicht angezeigt, weil sie zu einer sensiblen Kategorie gehört} other {# Informationen werden nicht angezeigt, weil sie zu sensiblen Kategorien gehören}}.',
    'withheld.reasons':
      '{count, plural, one {Ein Grund beruht} other {# Gründe beruhen}} nur auf Informationen, die nicht angezeigt werden.',
    'value.boolean': '{value, select, true {ja} other {nein}}',
    'label.fallback': '„{name}“',
    'dsa.title': 'Wie unsere Systeme entscheiden, welche Nachrichten Sie erhalten',
    'dsa.intro':
      '{system} verwendet {count, plural, one {einen Hauptparameter} other {# Hauptparameter}}, geordnet vom wichtigsten zum unwichtigsten.',
    'dsa.parameter':
      '{rank}. {label}: für {purpose}; verwendete Daten: {dataCount, plural, =0 {keine personenbezogenen Daten} other {{dataList}}}. Relative Bedeutung: {importance, select, high {hoch} medium {mittel} other {gering}} ({share, number, percent}).',
    'access.title': 'Wann wir Ihre Daten verwendet haben',
    'access.intro':
      'Jede Verwendung Ihrer Daten durch unsere Systeme oder unsere Mitarbeitenden, die neueste zuerst.',
    'access.empty': 'Wir haben Ihre Daten in diesem Zeitraum nicht verwendet.',
    'access.line':
      '{date}: {who, select, rule {Unsere automatischen Regeln haben {dataList} für {purpose} geprüft} model {Unsere automatischen Modelle haben {dataList} für {purpose} verwendet} staff {Eine Mitarbeiterin oder ein Mitarbeiter hat {dataList} für {purpose} angesehen} explanation {Wir haben Ihnen {dataList} gezeigt, um eine Nachricht zu erklären} other {Unsere Systeme haben {dataList} für {purpose} verwendet}}{times, plural, one {} other { (#-mal)}}. {outcome, select, sent {{sent, plural, one {Wir haben Ihnen eine Nachricht gesendet.} other {Wir haben Ihnen # Nachrichten gesendet.}}} held_back {Es wurde nichts gesendet.} other {}}',
    'dsa.controls':
      'Sie können ändern, was diese Parameter verwenden: Schalten Sie in Ihren Datenschutzeinstellungen einen Zweck oder eine Datenart aus, schalten Sie ein Thema stumm oder wünschen Sie weniger Nachrichten einer Art.',
  },
  labels: {
    categories: {
      user: 'Ihre personenbezogenen Daten',
      'user.contact': 'Ihre Kontaktdaten',
      'user.contact.email': 'Ihre E-Mail-Adresse',
      'user.contact.phone': 'Ihre Telefonnummer',
      'user.financial': 'Ihre Finanzdaten',
      'user.financial.card': 'Ihre Kartendaten',
      'user.financial.transactions': 'Ihre Transaktionen',
      'user.behavior': 'Ihre Aktivität bei uns',
      'user.behavior.purchase_history': 'Ihre Kaufhistorie',
      'user.behavior.returns': 'Ihre Rücksendungen',
      'user.behavior.browsing': 'Ihre Nutzung unserer Website',
      'user.location': 'Ihr Standort',
      'user.location.approximate': 'Ihr ungefährer Standort',
      'user.location.precise': 'Ihr genauer Standort',
      'user.travel': 'Ihre Reisepläne',
      'user.travel.itinerary': 'Ihre gebuchten Reisen',
      'user.health': 'Gesundheitsdaten',
    },
    purposes: {
      service: 'die Erbringung unseres Dienstes',
      'service.fraud_protection': 'Ihren Schutz vor Betrug',
      'service.proactive_support': 'proaktive Servicenachrichten',
      marketing: 'Marketing',
      'marketing.email': 'Marketing-E-Mails',
      personalization: 'Personalisierung',
      'personalization.recommendations': 'Empfehlungen',
      analytics: 'die Messung der Nutzung unseres Dienstes',
      'analytics.measurement': 'die Messung der Nutzung unseres Dienstes',
    },
    topics: {},
    channels: {
      email: 'E-Mail',
      push: 'Benachrichtigung',
      sms: 'SMS',
      in_app: 'Nachricht',
      web: 'Nachricht',
    },
    sources: {},
  },
};
