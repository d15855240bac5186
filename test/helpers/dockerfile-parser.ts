import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DockerfileParser, type Instruction, ModifiableInstruction } from 'dockerfile-ast';

/** One stage of the Dockerfile: its FROM and the instructions up to the next FROM. */
export interface Stage {
  readonly name: string;
  /** `node:22.x.y-bookworm-slim`, or the name of an earlier stage. */
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

export interface ParsedDockerfile {
  readonly stages: readonly Stage[];
}

export const DOCKERFILE = resolve('Dockerfile');

/** Parses the repository's Dockerfile (with the same parser as the VS Code Docker extension). */
export function parseDockerfile(path = DOCKERFILE): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(readFileSync(path, 'utf8'));
  const stages: { name: string; from: string; instructions: Instruction[] }[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const args = instruction.getArguments().map((a) => a.getValue());
      const asIndex = args.findIndex((a) => a.toUpperCase() === 'AS');
      stages.push({
        name: asIndex >= 0 ? args[asIndex + 1] : String(stages.length),
        from: args.filter((a) => !a.startsWith('--'))[0],
        instructions: [],
      });
    } else {
      if (stages.length === 0) throw new Error(`${instruction.getKeyword()} before any FROM`);
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { stages };
}

export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.getKeyword() === keyword);
}

/** The instruction's arguments as words (quotes and line continuations resolved). */
export function words(instruction: Instruction): string[] {
  return instruction.getArguments().map((a) => a.getValue());
}

/** `ENV A=1 B=2` (any number of them) as a map; later wins. */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const instruction of instructions(stage, 'ENV')) {
    for (const word of words(instruction)) {
      const eq = word.indexOf('=');
      if (eq <= 0) throw new Error(`ENV without "=" is legacy syntax: ${word}`);
      env[word.slice(0, eq)] = word.slice(eq + 1);
    }
  }
  return env;
}

/** The JSON array of an exec-form instruction (`CMD [...]`, `HEALTHCHECK ... CMD [...]`). */
export function execForm(instruction: Instruction): string[] | undefined {
  const raw = (instruction.getRawArgumentsContent() ?? '').replace(/\\\n/g, ' ');
  const match = /(\[[\s\S]*\])\s*$/.exec(raw);
  if (!match) return undefined;
  const parsed: unknown = JSON.parse(match[1]);
  return Array.isArray(parsed) && parsed.every((p) => typeof p === 'string') ? parsed : undefined;
}

/** `--name=value` flags of an instruction. */
export function flags(instruction: Instruction): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(instruction instanceof ModifiableInstruction)) return out;
  for (const flag of instruction.getFlags()) out[flag.getName()] = flag.getValue() ?? '';
  return out;
}
