import { readFileSync } from 'node:fs';

export interface Instruction {
  keyword: string;
  /** The arguments as written, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface CopyInstruction {
  from?: string;
  chown?: string;
  sources: string[];
  destination: string;
}

/** A Dockerfile split into stages; enough of the grammar for the files this repo writes. */
export function parseDockerfile(path: string): { args: Instruction[]; stages: Stage[] } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) return;
    if (pending && line.startsWith('#')) return;
    if (!pending) startLine = i + 1;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const [keyword, ...rest] = full.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine });
  });
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const [from, as, name] = ins.args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      args.push(ins);
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { args, stages };
}

export function copies(stage: Stage): CopyInstruction[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const words = i.args.startsWith('[')
        ? (JSON.parse(i.args) as string[])
        : i.args.split(/\s+/).filter(Boolean);
      const flags = new Map<string, string>();
      const paths: string[] = [];
      for (const word of words) {
        const flag = /^--([a-z-]+)=(.*)$/.exec(word);
        if (flag) flags.set(flag[1], flag[2]);
        else paths.push(word);
      }
      return {
        from: flags.get('from'),
        chown: flags.get('chown'),
        sources: paths.slice(0, -1),
        destination: paths[paths.length - 1],
      };
    });
}

export function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** `ENV A=1 B=2` lines of a stage, merged. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of argsOf(stage, 'ENV')) {
    for (const match of line.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S*)/g)) {
      env[match[1]] = match[2].replace(/^"|"$/g, '');
    }
  }
  return env;
}
