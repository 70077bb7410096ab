import type { MessageCatalog } from '../catalog';

/**
 * The built-in German catalog (formal "Sie"). Sagt klar, dass unsere Systeme Daten verwendet
 * haben, ohne einen Menschen oder Vertrautheit vorzutäuschen. Labels stehen im Nominativ und im
 * Akkusativ („Ihre Kartendaten korrigieren“): Kategorien und Fakten daher als Plural, Femininum
 * oder Neutrum („Ihre Standortdaten“, nicht „Ihr Standort“); Zwecke folgen immer auf „für“
 * („für Ihren Schutz vor Betrug“).
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
      '{reasons, plural, =0 {Sie erhalten diese {channel}, weil unsere Systeme {shownCount, plural, =0 {Angaben verwendet haben, die hier nicht angezeigt werden} other {{dataList} verwendet haben}}.} one {Sie erhalten diese {channel}, denn {reason}.} other {Ein Grund für diese {channel}: {reasonAtStart}.}}',
    summary:
      '{reasons, plural, =0 {Sie erhalten diese {channel} zum Thema „{topic}“, weil unsere Systeme {shownCount, plural, =0 {Angaben verwendet haben, die hier nicht angezeigt werden} other {{dataList} verwendet haben}}.} one {Sie erhalten diese {channel} zum Thema „{topic}“, denn {reason}.} other {Ein Grund für diese {channel} zum Thema „{topic}“: {reasonAtStart}.}}',
    condition:
      '{compare, select, hidden {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, verglichen mit einer Angabe, die hier nicht angezeigt wird} other {{operator, select, equal {{subject} ist {valueKind, select, date {der {value}} other {{value}}}{compare, select, fact {, genau wie {expected}} other {}}} notEqual {{subject} ist {valueKind, select, date {der {value}} other {{value}}} und nicht {expected}} lessThan {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also weniger als {expected}} lessThanInclusive {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also höchstens {expected}} greaterThan {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also mehr als {expected}} greaterThanInclusive {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also mindestens {expected}} in {{subject} ist {valueKind, select, date {der {value}} other {{value}}} (unser System achtet auf {expected})} notIn {{subject} ist {valueKind, select, date {der {value}} other {{value}}} (unser System achtet auf alles außer {expected})} contains {{subject} enthält „{expected}“} doesNotContain {{subject} enthält „{expected}“ nicht} startsWith {{subject} ist {valueKind, select, date {der {value}} other {{value}}} und beginnt mit {expected}} notStartsWith {{subject} ist {valueKind, select, date {der {value}} other {{value}}} und beginnt nicht mit {expected}} between {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also zwischen {from} und {to}} notBetween {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also nicht zwischen {from} und {to}} notExists {{subject} liegt uns nicht vor} matches {{subject} ist {valueKind, select, date {der {value}} other {{value}}} und passt zu einem Muster, auf das unser System achtet} notMatches {{subject} ist {valueKind, select, date {der {value}} other {{value}}} und passt nicht zu einem Muster, auf das unser System achtet} within {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also innerhalb der letzten {expected}} notWithin {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also länger als {expected} her} daysUntil {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also {days, plural, one {# Tag} other {# Tage}} nach der Prüfung durch unsere Systeme} notDaysUntil {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also nicht {from} bis {to} Tage nach der Prüfung durch unsere Systeme} before {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also {compare, select, fact {früher als {expected}} other {vor dem {expected}}}} notBefore {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also {compare, select, fact {nicht früher als {expected}} other {nicht vor dem {expected}}}} after {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also {compare, select, fact {später als {expected}} other {nach dem {expected}}}} notAfter {{subject} ist {valueKind, select, date {der {value}} other {{value}}}, also {compare, select, fact {nicht später als {expected}} other {nicht nach dem {expected}}}} other {{subject} ist {valueKind, select, date {der {value}} other {{value}}}}}}}',
    'condition.absence':
      '{subject} war {value}, und innerhalb von {within} danach kam kein {event}',
    'counterfactual.absence':
      'Sie hätten diese {channel} nicht erhalten, wenn innerhalb von {within} nach diesem Zeitpunkt ({subject}) ein {event} eingegangen wäre.',
    'summary.contextual':
      'Für diese {channel}{layer, select, short {} other { zum Thema „{topic}“}} haben unsere Systeme nur {dataList} verwendet, nicht Ihren Verlauf.',
    'purpose.exchange': 'Sie teilen {dataList}; dafür erhalten Sie {benefit}.',
    'purpose.contextual':
      'Diese Nachricht verwendet keine personenbezogenen Daten und hängt daher nicht von Ihren Entscheidungen für {purpose} ab.',
    'clause.condition': '{statement}.',
    'clause.generic': 'Unsere Systeme haben {data} verwendet.',
    'counterfactual.condition':
      'Sie hätten diese {channel} nicht erhalten, wenn {compare, select, hidden {{subject} anders gewesen wäre} other {{operator, select, equal {{compare, select, fact {{subject} und {expected} nicht gleich gewesen wären} other {{subject} nicht {valueKind, select, date {der {expected}} other {{expected}}} gewesen wäre}}} notEqual {{compare, select, fact {{subject} und {expected} gleich gewesen wären} other {{subject} {valueKind, select, date {der {expected}} other {{expected}}} gewesen wäre}}} lessThan {{subject} {compare, select, fact {nicht weniger als {expected}} other {{expected} oder mehr}} gewesen wäre} lessThanInclusive {{subject} mehr als {expected} gewesen wäre} greaterThan {{subject} {compare, select, fact {nicht mehr als {expected}} other {{expected} oder weniger}} gewesen wäre} greaterThanInclusive {{subject} weniger als {expected} gewesen wäre} in {{subject} nicht {expected} gewesen wäre} notIn {{subject} {expected} gewesen wäre} contains {{subject} {expected} nicht enthalten hätte} doesNotContain {{subject} {expected} enthalten hätte} startsWith {{subject} nicht mit {expected} begonnen hätte} notStartsWith {{subject} mit {expected} begonnen hätte} between {{subject} nicht zwischen {from} und {to} gelegen hätte} notBetween {{subject} zwischen {from} und {to} gelegen hätte} exists {{subject} uns nicht vorgelegen hätte} notExists {{subject} uns vorgelegen hätte} matches {{subject} nicht zu diesem Muster gepasst hätte} notMatches {{subject} zu diesem Muster gepasst hätte} within {{subject} länger als {expected} her gewesen wäre} notWithin {{subject} innerhalb der letzten {expected} gelegen hätte} daysUntil {{subject} nicht {from} bis {to} Tage nach der Prüfung gelegen hätte} notDaysUntil {{subject} {from} bis {to} Tage nach der Prüfung gelegen hätte} before {{subject} {compare, select, fact {nicht früher als {expected} gewesen wäre} other {nicht vor dem {expected} gelegen hätte}}} notBefore {{subject} {compare, select, fact {früher als {expected} gewesen wäre} other {vor dem {expected} gelegen hätte}}} after {{subject} {compare, select, fact {nicht später als {expected} gewesen wäre} other {nicht nach dem {expected} gelegen hätte}}} notAfter {{subject} {compare, select, fact {später als {expected} gewesen wäre} other {nach dem {expected} gelegen hätte}}} other {{subject} anders gewesen wäre}}}}.',
    'counterfactual.generic':
      'Sie hätten diese {channel} nicht erhalten, wenn unsere Systeme {shownCount, plural, =0 {die hier nicht angezeigten Angaben} other {{dataList}}} nicht verwendet hätten.',
    'data.line':
      '{data}: {value} ({kind, select, stated {Ihre Angabe} observed {aus Ihrer Nutzung} inferred {{party, select, third {geschätzt} other {von unseren Systemen geschätzt}}} derived {von unseren Systemen berechnet} other {Herkunft unbekannt}}{party, select, third {; Quelle: {source}, ein Partner} other {}}).',
    'data.observed': '{party, select, third {} other {Quelle: {source}. }}Erfasst am {observedAt}.',
    'data.stale': 'Dies ist möglicherweise nicht mehr aktuell.',
    'data.change': 'Prüfen oder korrigieren',
    'data.withValue': '{data} ({value})',
    'fact.fallback': 'der geprüfte Wert ({data})',
    'fact.window':
      '{agg, select, sum {die Summe} other {die Anzahl}} innerhalb der letzten {within} ({data})',
    'value.otherFact': '{data} ({value})',
    'value.others': '{count, plural, one {einen weiteren Wert} other {# weitere Werte}}',
    'purpose.line':
      '{allowedNow, select, no {Wir haben Ihre Daten für {purpose} genutzt; dieser Zweck ist für Sie derzeit nicht aktiv.} other {Wir nutzen Ihre Daten für {purpose}.{basis, select, consent { Sie haben zugestimmt.} legitimate_interest { Grundlage ist unser berechtigtes Interesse.} contract { Wir brauchen sie für unseren Vertrag mit Ihnen.} legal_obligation { Das Gesetz verlangt es.} other {}}}}',
    'decision.source':
      'Entschieden am {decidedAt} von {kind, select, rule {einer automatisierten Regel} model {einem automatisierten Modell} manual {einer Einstellung unserer Mitarbeitenden} other {unseren Systemen}}: „{name}“, Version {version}.',
    'decision.notice': 'Es gilt Version {notice} unserer Datenschutzhinweise.',
    'control.turnOffData':
      '{mechanism, select, object {Widerspruch einlegen: {data} nicht mehr für {purpose} verwenden} other {{data} nicht mehr für {purpose} verwenden}}',
    'control.stopPurpose':
      '{mechanism, select, object {Der Verwendung Ihrer Daten für {purpose} widersprechen} other {{purpose} ausschalten}}',
    'control.muteTopic': 'Nachrichten zum Thema „{topic}“ stummschalten',
    'control.fewer': 'Weniger Nachrichten dieser Art',
    'control.correct': '{data} korrigieren',
    'control.manage': 'Alle Datenschutz- und Nachrichteneinstellungen verwalten',
    'control.chooseChannel': 'Festlegen, wie Sie Nachrichten zum Thema „{topic}“ erhalten',
    'control.criticalNote':
      'Sicherheitswarnungen wie diese können Sie nicht stummschalten, weil sie Ihr Konto schützen; Sie können aber wählen, auf welchem Weg sie Sie erreichen.',
    'control.undoChange': 'Diese Änderung rückgängig machen (möglich bis {until})',
    'change.fallback': 'eine Änderung für Sie vorgenommen („{name}“)',
    'change.line':
      '{status, select, undone {Am {at} haben wir {change}, weil Sie {permission} erlaubt haben. Sie haben das am {undoneAt} rückgängig gemacht, es ist also wieder wie vorher.} expired {Am {at} haben wir {change}, weil Sie {permission} erlaubt haben. Die Frist zum Rückgängigmachen endete am {until}, die Änderung bleibt also bestehen.} other {Am {at} haben wir {change}, ohne auf Ihre Antwort zu warten, weil Sie {permission} erlaubt haben. Sie können das bis {until} rückgängig machen.}}',
    'withheld.consent':
      '{count, plural, one {Eine Angabe zeigen wir hier nicht, weil Ihre Datenschutzeinstellungen ihre Verwendung für diesen Zweck derzeit nicht erlauben.} other {# Angaben zeigen wir hier nicht, weil Ihre Datenschutzeinstellungen ihre Verwendung für diesen Zweck derzeit nicht erlauben.}}',
    'withheld.sensitive':
      '{count, plural, one {Eine Angabe zeigen wir hier nicht, weil sie besonders geschützt ist.} other {# Angaben zeigen wir hier nicht, weil sie besonders geschützt sind.}}',
    'withheld.reasons':
      '{count, plural, one {Ein Grund beruht} other {# Gründe beruhen}} nur auf Angaben, die hier nicht angezeigt werden.',
    'value.boolean': '{value, select, true {ja} other {nein}}',
    // Sätze zu einem Thema setzen es selbst in Anführungszeichen („zum Thema „…““ wäre doppelt).
    'label.fallback': '{kind, select, topics {{name}} other {„{name}“}}',
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
    'brief.title': 'Bevor Sie mit dieser Person sprechen',
    'brief.intro':
      'Was unsere Unterlagen über diese Person sagen, offene Probleme zuerst. Jeder Punkt nennt Quelle und Datum, in Worten, die Sie im Gespräch verwenden können.',
    'brief.empty':
      'Unsere Unterlagen enthalten zu dieser Person nichts, was Sie für dieses Gespräch brauchen.',
    'brief.heading':
      '{section, select, openComplaints {Offene Beschwerden} openCases {Offene Supportfälle} recentlyResolved {In den letzten 6 Monaten gelöst} statedReasons {Gründe, die die Person genannt hat} preferences {Vorlieben} notes {Notizen von Kolleginnen und Kollegen} toClarify {Mit der Person zu klären} other {Sonstiges}}',
    'brief.open':
      '{kind, select, complaint {Beschwerde} other {Supportfall}} vom {date}, noch offen: „{summary}“{hasAbout, select, yes { (zu {about})} other {}}.',
    'brief.resolved':
      '{summary} am {date}; {sameDay, select, yes {am selben Tag gelöst} other {gelöst am {resolvedAt}}}{hasResolution, select, yes {: {resolution}} other {}}.',
    'brief.reason':
      '{how, select, stated {Sie haben uns am {date} gesagt, dass dies für „{summary}“ war} inferred {Unsere Systeme haben am {date} geschätzt, dass dies für „{summary}“ war} other {Laut unseren Unterlagen vom {date} war dies für „{summary}“}}{hasAbout, select, yes { ({about})} other {}}.',
    'brief.preference':
      '{how, select, stated {Sie haben uns am {date} gesagt} inferred {Von unseren Systemen am {date} geschätzt und von Ihnen nicht bestätigt} other {Laut unseren Unterlagen vom {date}}}: „{summary}“{hasAbout, select, yes { ({about})} other {}}.',
    'brief.note':
      'Notiz aus dem Kollegium vom {date}: „{summary}“{hasAbout, select, yes { ({about})} other {}}.',
    'brief.source': 'Quelle: {source}.',
    'brief.clarify':
      'Diese Angaben widersprechen sich; fragen Sie nach, was stimmt: „{first}“ ({firstDate}) oder „{second}“ ({secondDate}).',
    'brief.withheld':
      '{count, plural, one {Eine weitere Angabe wird} other {# weitere Angaben werden}} nicht angezeigt: Die Datenschutzeinstellungen der Person oder unsere Regeln erlauben das für dieses Gespräch nicht.',
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
      'user.location': 'Ihre Standortdaten',
      'user.location.approximate': 'Ihre ungefähren Standortdaten',
      'user.location.precise': 'Ihre genauen Standortdaten',
      'user.travel': 'Ihre Reisepläne',
      'user.travel.itinerary': 'Ihre gebuchten Reisen',
      'user.health': 'Gesundheitsdaten',
      context: 'die Umstände',
      'context.time': 'die Uhrzeit',
      'context.region': 'Ihre Region',
      'context.device': 'Ihre Geräteart',
      'context.weather': 'die Wettervorhersage',
      'context.events': 'öffentliche Veranstaltungen',
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
      push: 'Mitteilung',
      sms: 'SMS',
      in_app: 'Nachricht',
      web: 'Nachricht',
    },
    sources: {},
  },
};
