import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import {
  CONSOLE_PATH,
  consoleBuilt,
  consolePlugin,
  DEFAULT_CONSOLE_ROOT,
} from './console.plugin.js';

/**
 * Mounts the web console when the admin API is on (it is a client of that API and nothing else);
 * with the admin API off, `/console` is not routed and answers 404 like any unknown path.
 */
export async function installConsole(
  app: NestFastifyApplication,
  config: GatewayConfig,
  root: string = DEFAULT_CONSOLE_ROOT,
): Promise<boolean> {
  if (config.admin.token.trim() === '') return false;
  if (!consoleBuilt(root)) {
    new Logger('Console').warn(
      `The web console is not built (no ${root}): run \`npm run build\` to serve it at ${CONSOLE_PATH}.`,
    );
    return false;
  }
  await app.register(consolePlugin, { root });
  return true;
}
