/**
 * @module cli/serve
 * `tollgate serve`: load the config, start the gateway, print what a person needs to see
 * (listening URL, which price catalog is in use, model groups, open-mode warning), and drain the ledger on
 * SIGTERM/SIGINT.
 */
import { existsSync } from 'node:fs';
import { ConfigError, formatDiagnostics, loadConfigFile } from '../config/load.js';
import type { GatewayConfig } from '../config/types.js';
import { describeCatalogInUse } from '../cost-map/index.js';
import { createGatewayServer } from '../gateway/server.js';
import { logger, setLogLevel } from '../logger.js';
import { VERSION } from '../version.js';

export interface ServeOptions {
  configPath?: string;
  port: number;
  host: string;
  detailedDebug: boolean;
  dataDir: string;
  databaseUrl?: string;
  /** `--strict`: any deployment problem refuses the start. */
  strict?: boolean;
}

export async function serve(o: ServeOptions): Promise<void> {
  if (o.detailedDebug) setLogLevel('debug');
  const configPath = o.configPath ?? (existsSync('config.yaml') ? 'config.yaml' : undefined);
  if (!configPath) {
    throw new ConfigError([
      {
        severity: 'error',
        path: '',
        message: 'no config given: run `tollgate --config path/to/config.yaml`',
      },
    ]);
  }
  const config: GatewayConfig = loadConfigFile(configPath, undefined, { strict: o.strict });
  if (config.warnings.length) process.stderr.write(`${formatDiagnostics(config.warnings)}\n`);

  const gw = await createGatewayServer({
    config,
    logger,
    dataDir: o.dataDir,
    databaseUrl: o.databaseUrl,
    strict: o.strict,
  });
  const address = await gw.listen(o.port, o.host);
  const shown = o.host === '0.0.0.0' ? address.replace('0.0.0.0', `${o.host}`) : address;
  const lines = [
    `Tollgate ${VERSION} listening on ${shown}  (OpenAI base URL: ${shown}/v1)`,
    `config: ${config.sourcePath ?? configPath}   database: ${gw.db.kind}`,
    describeCatalogInUse(gw.costMaps),
    'model groups:',
    ...[...gw.engine.groups.values()].map(
      (g) =>
        `  ${g.name}  →  ${g.members.map((m) => `${m.config.model} [${m.pricing.unpriced ? 'UNPRICED' : m.pricing.source}]`).join(', ')}`,
    ),
    ...gw.engine.directory
      .wildcards()
      .map(
        (w) =>
          `  ${w.modelName}  →  ${w.config.model} [wildcard: priced per requested model from the catalog]`,
      ),
  ];
  if (gw.disabled.length) {
    lines.push(`DISABLED (${gw.disabled.length}, their models answer 400 with the reason; fix config.yaml):`);
    for (const d of gw.disabled) lines.push(`  ${d.where}: ${d.why.join('; ')}`);
  }
  if (!config.generalSettings.masterKey) {
    lines.push(
      'WARNING: no general_settings.master_key is set: the gateway is OPEN — anyone who can reach it can call every model and admin route.',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining spend events');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    try {
      await gw.close();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // SIGHUP checks the cost map source now (the public map, general_settings.cost_map or TOLLGATE_COST_MAP).
  process.on('SIGHUP', () => {
    gw.reloadPricing().then(
      (r) => logger.info({ result: r }, 'pricing reloaded'),
      (err) => logger.error({ err }, 'pricing reload failed'),
    );
  });
  process.on('SIGINT', () => void stop('SIGINT'));
}
