import type { MessageCatalog } from '../catalog';

/**
 * The built-in English catalog. Phrasing says plainly that our systems used data; it never
 * implies a person looked, and never claims to know what the customer feels.
 *
 * @example
 * createExplainer({ messages: { en: { labels: { topics: { 'billing.card_expiry': 'your card expiring' } } } } });
 */
export const en: MessageCatalog = {
  locale: 'en',
  version: '1',
  messages: {
    'heading.title': 'Why you are seeing this',
    'heading.reasons': 'What our systems checked',
    'heading.data': 'Data our systems used',
    'heading.purpose': 'Purpose',
    'heading.controls': 'Your choices',
    'heading.withheld': 'Not shown here',
    short:
      'Because our systems used {shownCount, plural, =0 {information that is not shown here} other {{dataList}}}.',
    summary:
      'You are seeing this {channel} about {topic} because our automated systems used {shownCount, plural, =0 {information that is not shown here} other {{dataList}}} for {purpose}.',
    'clause.condition':
      'Our systems checked {data} ({actual}): {operator, select, equal {it is} notEqual {it is not} lessThan {it is less than} lessThanInclusive {it is at most} greaterThan {it is more than} greaterThanInclusive {it is at least} in {it is one of} notIn {it is not one of} contains {it contains} doesNotContain {it does not contain} before {it is before} after {it is after} within {it is within} other {it matches}} {expected}.',
    'clause.generic': 'Our systems used {data}.',
    'counterfactual.condition':
      'You would not have received this {channel} if {data} had not {operator, select, equal {been} notEqual {been other than} lessThan {been less than} lessThanInclusive {been at most} greaterThan {been more than} greaterThanInclusive {been at least} in {been one of} notIn {been outside} contains {contained} doesNotContain {lacked} before {been before} after {been after} within {been within} other {matched}} {expected}.',
    'counterfactual.generic':
      'You would not have received this {channel} if our systems had not had {shownCount, plural, =0 {the information that is not shown here} other {{dataList}}}.',
    'data.line':
      '{data} ({value}): {kind, select, stated {you gave this to us} observed {recorded from your activity} inferred {estimated by our systems, not stated by you} derived {calculated by our systems from other data} other {source not recorded}}; source: {source}{party, select, third { (a partner)} other {}}.',
    'data.observed': 'Recorded on {observedAt}.',
    'data.stale': 'This may be out of date.',
    'data.change': 'Review or correct it',
    'data.withValue': '{data} ({value})',
    'purpose.line':
      'Purpose: {purpose}. Legal basis: {basis, select, consent {your consent} legitimate_interest {our legitimate interest} contract {our contract with you} legal_obligation {a legal obligation} other {none applies now}}.{allowedNow, select, no { This purpose is not active for you now.} other {}}',
    'decision.source':
      'Decided by {kind, select, rule {an automated rule} model {an automated model} manual {a setting configured by our staff} other {our systems}} ({id}, version {version}) on {decidedAt}.',
    'control.turnOffData':
      '{mechanism, select, object {Object to using} other {Stop using}} {data} for {purpose}',
    'control.stopPurpose': '{mechanism, select, object {Object to} other {Turn off}} {purpose}',
    'control.muteTopic': 'Mute messages about {topic}',
    'control.fewer': 'Show me fewer messages like this',
    'control.correct': 'Correct {data}',
    'control.manage': 'Manage all your privacy and message settings',
    'control.chooseChannel': 'Choose how you get messages about {topic}',
    'control.criticalNote':
      'You cannot mute security alerts like this, because they protect your account; you can choose how they reach you.',
    'withheld.consent':
      '{count, plural, one {One piece of information is} other {# pieces of information are}} not shown because your privacy choices do not allow its use for this purpose now.',
    'withheld.sensitive':
      '{count, plural, one {One piece of information is not shown because it belongs to a sensitive category} other {# pieces of information are not shown because they belong to sensitive categories}}.',
    'withheld.reasons':
      '{count, plural, one {One reason rests} other {# reasons rest}} only on information that is not shown.',
    'value.boolean': '{value, select, true {yes} other {no}}',
    'label.fallback': '“{name}”',
    'dsa.title': 'How our systems decide which messages you get',
    'dsa.intro':
      '{system} uses {count, plural, one {one main parameter} other {# main parameters}}, listed from most to least important.',
    'dsa.parameter':
      '{rank}. {label}: for {purpose}, using {dataCount, plural, =0 {no personal data} other {{dataList}}}. Relative importance: {importance, select, high {high} medium {medium} other {low}} ({share, number, percent}).',
    'access.title': 'When we used your data',
    'access.intro': 'Each time our systems or our staff used your data, newest first.',
    'access.empty': 'We have not used your data in this period.',
    'access.line':
      '{date}: {who, select, rule {our automated rules checked {dataList} for {purpose}} model {our automated models used {dataList} for {purpose}} staff {a member of our staff looked at {dataList} for {purpose}} explanation {we showed you {dataList} to explain a message} other {our systems used {dataList} for {purpose}}}{times, plural, one {} other { (# times)}}. {outcome, select, sent {{sent, plural, one {We sent you a message.} other {We sent you # messages.}}} held_back {Nothing was sent.} other {}}',
    'dsa.controls':
      'You can change what these parameters use: turn off a purpose or a kind of data in your privacy settings, mute a topic, or ask for fewer messages of a kind.',
  },
  labels: {
    categories: {
      user: 'your personal data',
      'user.contact': 'your contact details',
      'user.contact.email': 'your email address',
      'user.contact.phone': 'your phone number',
      'user.financial': 'your financial data',
      'user.financial.card': 'your card details',
      'user.financial.transactions': 'your transactions',
      'user.behavior': 'your activity with us',
      'user.behavior.purchase_history': 'your purchase history',
      'user.behavior.returns': 'your returns',
      'user.behavior.browsing': 'your browsing on our site',
      'user.location': 'your location',
      'user.location.approximate': 'your approximate location',
      'user.location.precise': 'your precise location',
      'user.travel': 'your travel plans',
      'user.travel.itinerary': 'your booked trips',
      'user.health': 'health information',
    },
    purposes: {
      service: 'providing our service',
      'service.fraud_protection': 'protecting you from fraud',
      'service.proactive_support': 'proactive service messages',
      marketing: 'marketing',
      'marketing.email': 'marketing emails',
      personalization: 'personalization',
      'personalization.recommendations': 'recommendations',
      analytics: 'measuring how our service is used',
      'analytics.measurement': 'measuring how our service is used',
    },
    topics: {},
    channels: {
      email: 'email',
      push: 'notification',
      sms: 'text message',
      in_app: 'message',
      web: 'message',
    },
    sources: {},
  },
};
