import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import cluster from 'node:cluster';
import { createGatewayApp } from './app.factory.js';
import { runClusterPrimary } from './cluster/cluster.primary.js';
import { JsonLogger } from './common/logging/json-logger.service.js';
import { ConfigError } from './config/config.errors.js';
import { loadGatewayConfig } from './config/config.loader.js';
import { processEnvironment } from './config/environment.js';
import { CallSettlement } from './governance/pipeline/call-settlement.service.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig({ env: processEnvironment() });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`Gateway not started. ${err.message}\n`);
    process.exit(1);
  }

  const logger = new JsonLogger(config.logging.level);
  const clustered = config.server.workers > 1;
  if (clustered && cluster.isPrimary) {
    runClusterPrimary(config, logger);
    return;
  }
  // One stray rejected promise (e.g. left behind by an operator's mock `js:` script) must not take
  // down every in-flight call. Only host Errors are described: a sandbox object's getters could
  // run unbounded if touched here.
  process.on('unhandledRejection', (reason: unknown) => {
    logger.error({
      msg: 'Unhandled promise rejection (the gateway keeps running)',
      reason:
        reason instanceof Error ? { name: reason.name, message: reason.message } : typeof reason,
      stack: reason instanceof Error ? reason.stack : undefined,
    });
  });
  const app = await createGatewayApp(config, logger);
  await app.listen({ port: config.server.port, host: config.server.host });
  const log = new Logger('Gateway');
  log.log({
    msg: `Gateway listening on ${await app.getUrl()}`,
    profiles: config.profiles,
    config_files: config.sources,
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const grace = config.server.shutdownGraceMs;
    log.log(`${signal} received: finishing in-flight requests for up to ${grace} ms`);
    const deadline = setTimeout(() => {
      log.warn('Shutdown grace period over: closing the remaining connections');
      // Settled first, so their audit events and usage make the final flush.
      app.get(CallSettlement).settleInFlight();
      app.getHttpServer().closeAllConnections();
    }, grace);
    deadline.unref();
    app
      .close()
      .then(() => {
        clearTimeout(deadline);
        log.log('Gateway stopped');
        logger.flush();
      })
      .catch((err: unknown) => {
        log.error({ msg: 'Shutdown failed', err });
        logger.flush();
        process.exitCode = 1;
      })
      // A worker's channel to the primary would keep it alive: closing it lets the process end.
      .finally(() => cluster.worker?.disconnect());
  };
  // A cluster worker can get a signal twice (a terminal's Ctrl-C, then the primary's): the
  // repeat is ignored. A single process keeps a second signal's default: stop at once.
  const listen = clustered ? process.on.bind(process) : process.once.bind(process);
  listen('SIGTERM', stop);
  listen('SIGINT', stop);
}

bootstrap().catch((err: unknown) => {
  process.stderr.write(
    `Gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
