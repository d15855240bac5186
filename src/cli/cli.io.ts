import type { EnvSource } from '../config/config-interpolation.js';
import { processEnvironment } from '../config/environment.js';

/** What the CLI reads and writes: the process's own streams, or captured ones in tests. */
export interface CliIo {
  readonly env: EnvSource;
  stdout(text: string): void;
  stderr(text: string): void;
  /** The whole of standard input, as text. */
  readStdin(): Promise<string>;
}

export function processCliIo(): CliIo {
  return {
    env: processEnvironment(),
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) {
        chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      }
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}
