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
      '{reasons, plural, =0 {You got this {channel} because our systems used {shownCount, plural, =0 {information that is not shown here} other {{dataList}}}.} one {You got this {channel} because {reason}.} other {You got this {channel} partly because {reason}.}}',
    summary:
      '{reasons, plural, =0 {You got this {channel} about {topic} because our systems used {shownCount, plural, =0 {information that is not shown here} other {{dataList}}}.} one {You got this {channel} about {topic} because {reason}.} other {You got this {channel} about {topic} partly because {reason}.}}',
    condition:
      '{compare, select, hidden {{subject} is {value}, compared with information that is not shown here} other {{operator, select, equal {{subject} is {value}{compare, select, fact {, the same as {expected}} other {}}} notEqual {{subject} is {value}, not {expected}} lessThan {{subject} is {value}, less than {expected}} lessThanInclusive {{subject} is {value}, no more than {expected}} greaterThan {{subject} is {value}, more than {expected}} greaterThanInclusive {{subject} is {value}, at least {expected}} in {{subject} is {value} (our systems look for {expected})} notIn {{subject} is {value} (our systems look for anything but {expected})} contains {{subject} includes {expected}} doesNotContain {{subject} does not include {expected}} startsWith {{subject} is {value}, which starts with {expected}} notStartsWith {{subject} is {value}, which does not start with {expected}} between {{subject} is {value}, between {from} and {to}} notBetween {{subject} is {value}, not between {from} and {to}} notExists {there is no record of {subject}} matches {{subject} is {value}, which fits a pattern our systems look for} notMatches {{subject} is {value}, which does not fit a pattern our systems look for} within {{subject} is {value}, within the last {expected}} notWithin {{subject} is {value}, more than {expected} ago} daysUntil {{subject} is {value}, {days, plural, one {# day} other {# days}} after our systems checked} notDaysUntil {{subject} is {value}, not {from} to {to} days after our systems checked} before {{subject} is {value}, before {expected}} notBefore {{subject} is {value}, not before {expected}} after {{subject} is {value}, after {expected}} notAfter {{subject} is {value}, not after {expected}} other {{subject} is {value}}}}}',
    'summary.contextual':
      'You got this {channel}{layer, select, short {} other { about {topic}}} based only on {dataList}, not on your history.',
    'purpose.exchange': 'You share {dataList}; in return you get {benefit}.',
    'purpose.contextual':
      'This message does not use your personal data, so it does not depend on your choices about {purpose}.',
    'clause.condition': '{statement}.',
    'condition.absence': 'no {event} arrived within {within} of {subject} ({value})',
    'counterfactual.absence':
      'You would not have got this {channel} if the {event} had arrived within {within} of {subject}.',
    'clause.generic': 'Our systems used {data}.',
    'counterfactual.condition':
      'You would not have got this {channel} if {compare, select, hidden {{subject} had been different} other {{operator, select, equal {{subject} had not been {compare, select, fact {the same as {expected}} other {{expected}}}} notEqual {{subject} had been {compare, select, fact {the same as {expected}} other {{expected}}}} lessThan {{subject} had been {compare, select, fact {at least {expected}} other {{expected} or more}}} lessThanInclusive {{subject} had been more than {expected}} greaterThan {{subject} had been {compare, select, fact {at most {expected}} other {{expected} or less}}} greaterThanInclusive {{subject} had been less than {expected}} in {{subject} had not been {expected}} notIn {{subject} had been {expected}} contains {{subject} had not included {expected}} doesNotContain {{subject} had included {expected}} startsWith {{subject} had not started with {expected}} notStartsWith {{subject} had started with {expected}} between {{subject} had not been between {from} and {to}} notBetween {{subject} had been between {from} and {to}} exists {there had been no record of {subject}} notExists {there had been a record of {subject}} matches {{subject} had not fitted that pattern} notMatches {{subject} had fitted that pattern} within {{subject} had been more than {expected} ago} notWithin {{subject} had been within the last {expected}} daysUntil {{subject} had not been {from} to {to} days after our systems checked} notDaysUntil {{subject} had been {from} to {to} days after our systems checked} before {{subject} had been on or after {expected}} notBefore {{subject} had been before {expected}} after {{subject} had been on or before {expected}} notAfter {{subject} had been after {expected}} other {{subject} had been different}}}}.',
    'counterfactual.generic':
      'You would not have got this {channel} if our systems had not used {shownCount, plural, =0 {the information that is not shown here} other {{dataList}}}.',
    'data.line':
      '{data}: {value} ({kind, select, stated {you told us this} observed {from your activity} inferred {{party, select, third {estimated} other {estimated by our systems}}} derived {worked out by our systems} other {origin not recorded}}{party, select, third {; source: {source}, a partner} other {}}).',
    'data.observed':
      '{party, select, third {} other {Source: {source}. }}Recorded on {observedAt}.',
    'data.stale': 'This may be out of date.',
    'data.change': 'Review or correct it',
    'data.withValue': '{data} ({value})',
    'fact.fallback': 'a value from {data}',
    'fact.window':
      '{agg, select, sum {the total of} other {the number of}} {data} in the last {within}',
    'value.otherFact': '{data} ({value})',
    'value.others': '{count, plural, one {one other value} other {# other values}}',
    'purpose.line':
      '{allowedNow, select, no {We used your data for {purpose}, but this purpose is not active for you now.} other {We use your data for {purpose}.{basis, select, consent { You agreed to this.} legitimate_interest { We do this based on our legitimate interest.} contract { We need it for our contract with you.} legal_obligation { The law requires it.} other {}}}}',
    'decision.source':
      'Decided on {decidedAt} by {kind, select, rule {an automated rule} model {an automated model} manual {a setting configured by our staff} other {our systems}}: “{name}”, version {version}.',
    'decision.notice': 'It follows version {notice} of our privacy notice.',
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
    'control.undoChange': 'Undo this change (possible until {until})',
    'change.fallback': 'made a change for you (“{name}”)',
    'change.line':
      '{status, select, undone {We {change} on {at}, because you allowed {permission}. You undid this on {undoneAt}, so it is back as it was.} expired {We {change} on {at}, because you allowed {permission}. The time to undo it ended on {until}, so the change stands.} other {We {change} on {at} without waiting for your answer, because you allowed {permission}. You can undo this until {until}.}}',
    'withheld.consent':
      '{count, plural, one {One piece of information is not shown because your privacy choices do not allow its use} other {# pieces of information are not shown because your privacy choices do not allow their use}} for this purpose now.',
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
    'brief.title': 'Before you talk to this customer',
    'brief.intro':
      'What our records say about this customer, open problems first. Each point says where it comes from and when, in words you can use with the customer.',
    'brief.empty':
      'Our records hold nothing about this customer that you need for this conversation.',
    'brief.heading':
      '{section, select, openComplaints {Open complaints} openCases {Open support cases} recentlyResolved {Resolved in the last 6 months} statedReasons {Reasons the customer gave} preferences {Preferences} notes {Notes from colleagues} toClarify {To clarify with the customer} other {Other}}',
    'brief.open':
      '{kind, select, complaint {Complaint} other {Support case}} opened on {date}, still open: “{summary}”{hasAbout, select, yes { (about {about})} other {}}.',
    'brief.resolved':
      '{summary} on {date}; resolved {sameDay, select, yes {the same day} other {on {resolvedAt}}}{hasResolution, select, yes {: {resolution}} other {}}.',
    'brief.reason':
      '{how, select, stated {You told us on {date}} inferred {Our systems estimated on {date}} other {Our records from {date} say}} this was for “{summary}”{hasAbout, select, yes { ({about})} other {}}.',
    'brief.preference':
      '{how, select, stated {You told us on {date}} inferred {Our systems estimated on {date}, and you have not confirmed it} other {Our records from {date} say}}: “{summary}”{hasAbout, select, yes { ({about})} other {}}.',
    'brief.note':
      'A colleague noted on {date}: “{summary}”{hasAbout, select, yes { ({about})} other {}}.',
    'brief.source': 'Source: {source}.',
    'brief.clarify':
      'These disagree, so ask the customer which is right: “{first}” ({firstDate}) or “{second}” ({secondDate}).',
    'brief.withheld':
      '{count, plural, one {One more item is} other {# more items are}} not shown: the customer’s privacy choices or our rules do not allow it for this conversation.',
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
      context: 'the context',
      'context.time': 'the time',
      'context.region': 'your region',
      'context.device': 'your type of device',
      'context.weather': 'the weather forecast',
      'context.events': 'public events',
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
