import type { JsonObject, JsonValue } from '../../domain/audit-event';
import { isRedactionMarker } from '../../domain/redaction-marker';
import { isObject } from './request';

export const REDACTED = '<redacted>';
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const CREDENTIAL_NAME =
  /(pass(?:word|wd)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credentials?|auth)/i;
const CREDENTIAL_FLAG =
  /^--?(?:password|passwd|pass|token|secret|client-secret|api-key|apikey|access-key|secret-key|auth-token|bearer-token)$/i;

// Each pattern keeps group 1 and hides group 2; they run over every exec argument.
const INLINE_PATTERNS: RegExp[] = [
  /(\bAuthorization:\s*(?:Bearer|Basic|Token)\s+)("[^"]*"|'[^']*'|[^\s"']+)/gi,
  /(--?(?:password|passwd|pass|token|secret|client-secret|api-key|apikey|access-key|secret-key|auth-token|bearer-token)=)("[^"]*"|'[^']*'|[^\s"']+)/gi,
  /(--?(?:password|passwd|token|secret|api-key|apikey|auth-token|bearer-token)\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/gi,
  /(\b[A-Za-z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)[A-Za-z0-9_]*=)("[^"]*"|'[^']*'|[^\s"']+)/gi,
  /(:\/\/[^/\s:@]+:)([^@\s/]+)(?=@)/g,
  /(\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^;|&]*?\s-p)([^\s'"]+)/g,
];

const MYSQL = /^(?:.*\/)?(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)$/;

export interface Redaction<T> {
  value: T;
  redacted: boolean;
}

/**
 * Hides credentials in a command line (exec `command=` values). A marker of redaction at rest
 * (src/domain/redaction-marker.ts) is already safe and tells values apart: it is kept.
 */
export function redactArgs(args: readonly string[]): Redaction<string[]> {
  let redacted = false;
  const isMysql = args.length > 0 && MYSQL.test(args[0]);
  const out = args.map((arg, i) => {
    const previous = i > 0 ? args[i - 1] : '';
    if (CREDENTIAL_FLAG.test(previous) && !arg.startsWith('-')) {
      redacted = true;
      return isRedactionMarker(arg) ? arg : REDACTED;
    }
    if (isMysql && /^-p.+/.test(arg)) {
      redacted = true;
      return isRedactionMarker(arg.slice(2)) ? arg : `-p${REDACTED}`;
    }
    let text = arg;
    for (const pattern of INLINE_PATTERNS) {
      text = text.replace(pattern, (match: string, keep: string, hidden: string) => {
        redacted = true;
        return isRedactionMarker(hidden.replace(/^["']|["']$/g, '')) ? match : `${keep}${REDACTED}`;
      });
    }
    return text;
  });
  return { value: out, redacted };
}

/**
 * Hides Secret data, last-applied copies of Secrets, TokenRequest tokens and env values whose
 * names look like credentials. Returns a copy; the event itself is never changed.
 */
export function redactObject(value: JsonValue, isSecret: boolean): Redaction<JsonValue> {
  const state = { redacted: false };
  const out = walk(value, isSecret, state);
  return { value: out, redacted: state.redacted };
}

export function looksLikeSecret(value: JsonValue | undefined): boolean {
  return isObject(value) && value.kind === 'Secret';
}

/** Copy-on-write: objects without anything to hide come back as they are. */
function walk(value: JsonValue, isSecret: boolean, state: { redacted: boolean }): JsonValue {
  if (Array.isArray(value)) {
    let copy: JsonValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = walk(value[i], isSecret, state);
      if (next !== value[i]) (copy ??= value.slice())[i] = next;
    }
    return copy ?? value;
  }
  if (!isObject(value)) return value;
  const secret = isSecret || value.kind === 'Secret';
  let copy: JsonObject | undefined;
  for (const key of Object.keys(value)) {
    const child = value[key];
    let next: JsonValue;
    if (secret && (key === 'data' || key === 'stringData') && isObject(child)) {
      next = hideValues(child, state);
    } else if (key === 'token' && value.kind === undefined && typeof child === 'string') {
      next = hide(state, child);
    } else if (key === 'annotations' && isObject(child)) {
      next = redactAnnotations(child, secret, state);
    } else if (key === 'value' && typeof child === 'string' && isCredentialName(value.name)) {
      next = hide(state, child);
    } else {
      next = walk(child, secret, state);
    }
    if (next !== child) setOwn((copy ??= { ...value }), key, next);
  }
  return copy ?? value;
}

/** Plain assignment would treat a `__proto__` key from the event as the prototype. */
export function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isCredentialName(name: JsonValue | undefined): boolean {
  return typeof name === 'string' && CREDENTIAL_NAME.test(name);
}

function redactAnnotations(
  annotations: JsonObject,
  isSecret: boolean,
  state: { redacted: boolean },
): JsonObject {
  const lastApplied = annotations[LAST_APPLIED];
  if (typeof lastApplied !== 'string') return annotations;
  if (!isSecret && !/"kind"\s*:\s*"Secret"/.test(lastApplied)) return annotations;
  const copy = { ...annotations };
  setOwn(copy, LAST_APPLIED, hide(state));
  return copy;
}

function hideValues(values: JsonObject, state: { redacted: boolean }): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(values)) setOwn(out, key, hide(state, values[key]));
  return out;
}

/** A marker of redaction at rest stays: it is safe, and it shows whether the value changed. */
function hide(state: { redacted: boolean }, value?: JsonValue): JsonValue {
  state.redacted = true;
  return isRedactionMarker(value) ? (value as string) : REDACTED;
}

/**
 * The stored event as the API may show it: Secret data and stringData values, Secret
 * last-applied copies and issued tokens in requestObject/responseObject replaced by
 * `<redacted>`. The database keeps the event verbatim; this is only what leaves the service.
 */
export function redactStoredEvent(raw: JsonValue): Redaction<JsonValue> {
  if (!isObject(raw)) return { value: raw, redacted: false };
  const ref = isObject(raw.objectRef) ? raw.objectRef : {};
  const isSecret = ref.resource === 'secrets' && (ref.apiGroup ?? '') === '';
  let copy: JsonObject | undefined;
  let redacted = false;
  for (const key of ['requestObject', 'responseObject'] as const) {
    const child = raw[key];
    if (child === undefined) continue;
    const result = redactObject(child, isSecret);
    if (result.redacted) {
      setOwn((copy ??= { ...raw }), key, result.value);
      redacted = true;
    }
  }
  return { value: copy ?? raw, redacted };
}
