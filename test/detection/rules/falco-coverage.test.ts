import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRulesetAllEnabled } from './audit-event';

/**
 * Every rule of Falco's k8saudit ruleset (names checked in, with source URL and commit, in
 * test/fixtures/detection-events/falco-k8saudit-rule-names.txt) must have at least one rule of
 * ours tagged `falco:<name>`; and every `falco:` tag must name a real Falco rule.
 */
const NAMES_FILE = join(
  __dirname,
  '..',
  '..',
  'fixtures',
  'detection-events',
  'falco-k8saudit-rule-names.txt',
);

function falcoRuleNames(): string[] {
  return readFileSync(NAMES_FILE, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

describe("coverage of Falco's k8saudit ruleset", () => {
  const ruleset = defaultRulesetAllEnabled();
  const tagged = new Map<string, string[]>();
  for (const rule of ruleset.rules) {
    for (const tag of rule.tags) {
      if (!tag.startsWith('falco:')) continue;
      const name = tag.slice('falco:'.length);
      tagged.set(name, [...(tagged.get(name) ?? []), rule.name]);
    }
  }

  it('reads the checked-in list of Falco rule names', () => {
    const names = falcoRuleNames();
    expect(names.length).toBeGreaterThanOrEqual(40);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(falcoRuleNames())('covers "%s"', (name) => {
    expect(tagged.get(name) ?? []).not.toEqual([]);
  });

  it('tags only Falco rules that exist', () => {
    const known = new Set(falcoRuleNames());
    expect([...tagged.keys()].filter((n) => !known.has(n))).toEqual([]);
  });

  it('every rule carries a source tag (falco:, elastic: or sigma:) and MITRE tags', () => {
    const untagged = ruleset.rules
      .filter((r) => !r.tags.some((t) => /^(falco|elastic|sigma):/.test(t)))
      .map((r) => r.name);
    expect(untagged).toEqual([]);
    const noMitre = ruleset.rules
      .filter((r) => r.priority !== 'DEBUG' && !r.tags.some((t) => t.startsWith('mitre_')))
      .map((r) => r.name);
    expect(noMitre).toEqual([]);
  });
});
