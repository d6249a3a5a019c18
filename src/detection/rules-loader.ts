import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DetectionConfig } from '../config/app-config';
import { loadRules, RuleLoadError, type RuleSource, type Ruleset } from './engine';

/**
 * The repository root, found from this file: it runs from `src/detection` under ts-jest and
 * from `dist/src/detection` when built (and in the image, where `rules/` sits beside `dist/`).
 */
function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/** Our default ruleset: `rules/*.yaml`, loaded in file-name order. */
export const DEFAULT_RULES_DIR = join(findProjectRoot(__dirname), 'rules');

/** A ruleset that could not be loaded; the message is for the person who configured it. */
export class RulesConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RulesConfigurationError';
  }
}

export interface LoadedRules {
  ruleset: Ruleset;
  /** The files read, in load order. */
  files: string[];
}

/** The rule sources the configuration names: ours (unless RULES_DEFAULT=false), then RULES_FILES. */
export function ruleSources(
  config: Pick<DetectionConfig, 'defaultRules' | 'rulesFiles'>,
  defaultDir = DEFAULT_RULES_DIR,
): RuleSource[] {
  const files: string[] = [];
  if (config.defaultRules) {
    if (!existsSync(defaultDir)) {
      throw new RulesConfigurationError(
        `the default rules folder ${defaultDir} is missing (RULES_DEFAULT=false runs only RULES_FILES)`,
      );
    }
    files.push(
      ...readdirSync(defaultDir)
        .filter((name) => /\.ya?ml$/i.test(name))
        .sort()
        .map((name) => join(defaultDir, name)),
    );
  }
  files.push(...config.rulesFiles);
  return files.map((path) => {
    try {
      return { path, text: readFileSync(path, 'utf8') };
    } catch (error) {
      throw new RulesConfigurationError(
        `cannot read rules file ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}); ${origin(path, config, defaultDir)}`,
      );
    }
  });
}

function origin(
  file: string,
  config: Pick<DetectionConfig, 'rulesFiles'>,
  defaultDir: string,
): string {
  if (config.rulesFiles.includes(file)) {
    return 'it is listed in RULES_FILES; fix the file or remove it from RULES_FILES';
  }
  if (file.startsWith(defaultDir)) {
    return `it is one of the default rules (${defaultDir}); fix it, or set RULES_DEFAULT=false to leave the default rules out`;
  }
  return 'it is included by RULES_FILES or the default rules';
}

/** Reads and compiles the configured rules; stops with a readable error naming file and line. */
export function loadConfiguredRules(
  config: Pick<DetectionConfig, 'defaultRules' | 'rulesFiles'>,
  defaultDir = DEFAULT_RULES_DIR,
): LoadedRules {
  const sources = ruleSources(config, defaultDir);
  try {
    return { ruleset: loadRules(sources), files: sources.map((source) => source.path) };
  } catch (error) {
    if (error instanceof RuleLoadError) {
      const where = error.line === undefined ? error.file : `${error.file} line ${error.line}`;
      throw new RulesConfigurationError(
        `detection rules could not be loaded: ${error.message} (in ${where}; ${origin(error.file, config, defaultDir)}). DETECTIONS=false starts without detections.`,
      );
    }
    throw error;
  }
}
