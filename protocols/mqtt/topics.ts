/**
 * MQTT topic names and filters: validation and translation to and from AMQP
 * topic-exchange routing/binding keys (RabbitMQ rabbit_mqtt_util).
 *
 * Responsibilities
 * - validate topic names [MQTT-3.3.2-2] [MQTT-4.7.3-1] [MQTT-1.5.3-2] and
 *   filters [MQTT-4.7.1-2] [MQTT-4.7.1-3] [MQTT-4.7.3-1];
 * - `$share/<group>/<filter>` parsing [MQTT-4.8.2-1] [MQTT-4.8.2-2];
 * - translation: '/' ↔ '.', '+' → '*', '#' → '#'. With escaping off (the
 *   RabbitMQ-compatible default) a '.' inside an MQTT level stays a '.', so it
 *   becomes a level separator on the AMQP side. With escaping on, '.', '*',
 *   '%' (and '/' on the way back) inside a level are percent-escaped so the
 *   mapping is lossless;
 * - local matching of a topic against a filter, with the '$' rule
 *   [MQTT-4.7.2-1], used at delivery to find the session's matching
 *   subscriptions (QoS downgrade, subscription identifiers, no-local).
 */

/** Error text or null when the topic name is valid. `allowEmpty`: v5 PUBLISH with a Topic Alias. */
export function topicNameError(topic: string, allowEmpty = false): string | null {
  if (topic.length === 0) return allowEmpty ? null : 'empty topic name'; // [MQTT-4.7.3-1]
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === 0x2b || c === 0x23) return 'wildcard in topic name'; // [MQTT-3.3.2-2]
    if (c === 0) return 'null character in topic name'; // [MQTT-1.5.3-2]
  }
  return null;
}

/** Error text or null when the topic filter (without $share prefix) is valid. */
export function topicFilterError(filter: string): string | null {
  if (filter.length === 0) return 'empty topic filter'; // [MQTT-4.7.3-1]
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    if (l.includes('\u0000')) return 'null character in topic filter'; // [MQTT-1.5.3-2]
    if (l.includes('#') && (l !== '#' || i !== levels.length - 1)) {
      return "'#' must be the last level on its own"; // [MQTT-4.7.1-2]
    }
    if (l.includes('+') && l !== '+') return "'+' must occupy a whole level"; // [MQTT-4.7.1-3]
  }
  return null;
}

export interface ParsedFilter {
  /** the filter without the $share prefix */
  filter: string;
  /** share group name for `$share/<group>/<filter>` */
  group: string | undefined;
}

/** Parses an optional $share prefix; returns an error string for a malformed one. */
export function parseFilter(raw: string): ParsedFilter | string {
  if (!raw.startsWith('$share/')) {
    const e = topicFilterError(raw);
    return e ?? { filter: raw, group: undefined };
  }
  const rest = raw.slice(7);
  const slash = rest.indexOf('/');
  if (slash <= 0) return 'malformed shared subscription'; // [MQTT-4.8.2-1]
  const group = rest.slice(0, slash);
  if (/[+#]/.test(group)) return 'wildcard in share name'; // [MQTT-4.8.2-2]
  const filter = rest.slice(slash + 1);
  const e = topicFilterError(filter);
  return e ?? { filter, group };
}

// ---------------------------------------------------------------- translation

function escapeLevel(l: string): string {
  return l.replace(/[%.*]/g, (c) => (c === '%' ? '%25' : c === '.' ? '%2E' : '%2A'));
}

function unescapeWord(w: string): string {
  if (!w.includes('/') && !w.includes('%')) return w;
  return w.replace(/%(25|2E|2A)|\//g, (m) => (m === '/' ? '%2F' : m === '%25' ? '%' : m === '%2E' ? '.' : '*'));
}

/** MQTT topic name → AMQP routing key. */
export function topicToRoutingKey(topic: string, escaping: boolean): string {
  if (!escaping) return topic.includes('/') ? topic.replaceAll('/', '.') : topic;
  return topic.split('/').map(escapeLevel).join('.');
}

/** MQTT topic filter → AMQP binding key. */
export function filterToBindingKey(filter: string, escaping: boolean): string {
  return filter
    .split('/')
    .map((l) => (l === '+' ? '*' : l === '#' ? '#' : escaping ? escapeLevel(l) : l))
    .join('.');
}

/** AMQP routing key → MQTT topic name. */
export function routingKeyToTopic(key: string, escaping: boolean): string {
  if (!escaping) return key.includes('.') ? key.replaceAll('.', '/') : key;
  return key.split('.').map(unescapeWord).join('/');
}

// ---------------------------------------------------------------- matching

/** True when an MQTT topic name matches an MQTT filter (no $share prefix). */
export function topicMatches(filter: string, topic: string): boolean {
  // [MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with '$'
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  if (filter === topic) return true;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const fl = f[i]!;
    if (fl === '#') return true; // matches the parent level too [MQTT-4.7.1-2]
    if (i >= t.length) return false;
    if (fl !== '+' && fl !== t[i]) return false;
  }
  return f.length === t.length;
}
