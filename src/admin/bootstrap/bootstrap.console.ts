/**
 * Where the bootstrap file's generated keys are shown, once. A port so tests can read the banner;
 * the default writes to stdout directly, not through the JSON logger: log lines are shipped and
 * kept, and a key must never be in them.
 */
export abstract class BootstrapConsole {
  abstract show(text: string): void;
}

export class StdoutBootstrapConsole extends BootstrapConsole {
  show(text: string): void {
    process.stdout.write(text);
  }
}
