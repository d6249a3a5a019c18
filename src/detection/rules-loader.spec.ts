import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RULES_DIR, loadConfiguredRules } from './rules-loader';

describe('loadConfiguredRules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rule = (name: string, condition: string) =>
    `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: WARNING\n  source: k8s_audit\n`;

  it('loads our rules/ in file-name order, then RULES_FILES in the order given', () => {
    const mine = join(dir, 'mine.yaml');
    writeFileSync(mine, rule('Mine', 'ka.verb = delete'));
    const loaded = loadConfiguredRules({ defaultRules: true, rulesFiles: [mine] });
    expect(loaded.files.at(-1)).toBe(mine);
    const defaults = loaded.files.slice(0, -1);
    expect(defaults.every((f) => f.startsWith(DEFAULT_RULES_DIR))).toBe(true);
    expect(defaults).toEqual([...defaults].sort());
    expect(loaded.ruleset.rules.at(-1)?.name).toBe('Mine');
    expect(loadConfiguredRules({ defaultRules: false, rulesFiles: [mine] }).files).toEqual([mine]);
  });

  it('a rule that does not compile stops startup with file, line and where the file comes from', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, `${rule('Fine', 'ka.verb = get')}${rule('Broken', 'ka.verb = = get')}`);
    expect(() => loadConfiguredRules({ defaultRules: false, rulesFiles: [broken] })).toThrow(
      new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*line \\d+.*RULES_FILES`),
    );
  });

  it('an unreadable file names RULES_FILES', () => {
    const missing = join(dir, 'missing.yaml');
    expect(() => loadConfiguredRules({ defaultRules: false, rulesFiles: [missing] })).toThrow(
      /cannot read rules file .*missing\.yaml \(ENOENT\); it is listed in RULES_FILES/,
    );
  });
});
