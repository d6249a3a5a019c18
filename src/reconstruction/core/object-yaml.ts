import type { JsonObject, JsonValue } from '../../domain/audit-event';
import { looksLikeSecret, redactObject, setOwn } from './redact';
import { isObject } from './request';
import { toYaml } from './yaml';

export const MAX_DOCUMENT_BYTES = 64 * 1024;

const SERVER_SET = new Set([
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
]);

export interface ObjectDocument {
  yaml: string;
  redacted: boolean;
  truncated: boolean;
  /** Server-set fields that held a value and were left out of the document. */
  dropped: string[];
}

export interface DocumentOptions {
  /** A PUT is conditional on resourceVersion, so `replace` must keep it. */
  keepResourceVersion?: boolean;
  isSecret?: boolean;
}

/** The request body as the YAML a person would have written: no server-set fields, no secrets. */
export function objectDocument(body: JsonValue, options: DocumentOptions = {}): ObjectDocument {
  const dropped: string[] = [];
  const cleaned = stripServerFields(body, options, dropped);
  const isSecret = options.isSecret === true || looksLikeSecret(body);
  const { value, redacted } = redactObject(cleaned, isSecret);
  const full = toYaml(value);
  const { text, truncated } = bound(full);
  return { yaml: text, redacted, truncated, dropped };
}

// Copies without `delete`, which would turn the copies into slow dictionary-mode objects.
function stripServerFields(
  body: JsonValue,
  options: DocumentOptions,
  dropped: string[],
): JsonValue {
  if (!isObject(body)) return body;
  const out: JsonObject = {};
  for (const key of Object.keys(body)) {
    const value = body[key];
    if (key === 'status') {
      if (hasContent(value)) dropped.push('status');
    } else if (key === 'metadata' && isObject(value)) {
      setOwn(out, key, stripMetadata(value, options, dropped));
    } else {
      setOwn(out, key, value);
    }
  }
  return out;
}

function stripMetadata(
  metadata: JsonObject,
  options: DocumentOptions,
  dropped: string[],
): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(metadata)) {
    const value = metadata[key];
    const serverSet =
      SERVER_SET.has(key) && !(key === 'resourceVersion' && options.keepResourceVersion);
    if (!serverSet) setOwn(out, key, value);
    else if (hasContent(value)) dropped.push(`metadata.${key}`);
  }
  return out;
}

function hasContent(value: JsonValue | undefined): boolean {
  if (value === null || value === undefined || value === '') return false;
  if (isObject(value)) return Object.keys(value).length > 0;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

function bound(text: string): { text: string; truncated: boolean } {
  if (Buffer.byteLength(text) <= MAX_DOCUMENT_BYTES) return { text, truncated: false };
  let cut = text.slice(0, MAX_DOCUMENT_BYTES);
  while (Buffer.byteLength(cut) > MAX_DOCUMENT_BYTES) cut = cut.slice(0, -1024);
  const lastLine = cut.lastIndexOf('\n');
  if (lastLine > 0) cut = cut.slice(0, lastLine + 1);
  const rest = Buffer.byteLength(text) - Buffer.byteLength(cut);
  return { text: `${cut}# <truncated: ${rest} more bytes>\n`, truncated: true };
}

/** A compact one-line JSON for `-p`, with the same redaction as documents. */
export function compactJson(
  value: JsonValue,
  isSecret: boolean,
): { text: string; redacted: boolean } {
  const result = redactObject(value, isSecret);
  return { text: JSON.stringify(result.value), redacted: result.redacted };
}

/** The body as JSON, for `--raw` requests that must send it unchanged. */
export function jsonDocument(body: JsonValue, isSecret: boolean): ObjectDocument {
  const { value, redacted } = redactObject(body, isSecret);
  const { text, truncated } = bound(`${JSON.stringify(value, null, 2)}\n`);
  return { yaml: text, redacted, truncated, dropped: [] };
}
