/**
 * @module cli/main
 * The `tollgate` command. `tollgate [CONFIG]` / `tollgate --config CONFIG` serves the gateway
 * (LiteLLM's `litellm /path/to/config.yaml` form works as is); subcommands explain prices,
 * price a usage, migrate the database, report spend and run the mock upstream.
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, formatDiagnostics } from '../config/load.js';
import { VERSION } from '../version.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('tollgate')
    .description('OpenAI-compatible LLM gateway that knows exactly what every request cost and who spent it.')
    .version(VERSION, '-v, --version')
    .enablePositionalOptions()
    .showHelpAfterError();

  program
    .command('serve', { isDefault: true })
    .description('run the gateway (default command)')
    .argument('[config]', 'path to config.yaml (same as --config)')
    .option('-c, --config <path>', 'path to config.yaml')
    .option('-p, --port <port>', 'port to listen on', '4000')
    .option('--host <host>', 'address to listen on', '0.0.0.0')
    .option('--detailed_debug', 'debug logging, including the pricing explanation of every request')
    .option('--detailed-debug', 'same as --detailed_debug')
    .option('--data-dir <dir>', 'folder for the embedded database and the spend spool', '.tollgate')
    .option(
      '--database-url <url>',
      'PostgreSQL URL (overrides general_settings.database_url and DATABASE_URL)',
    )
    .option(
      '--strict',
      'refuse to start on any config problem, a bad deployment included (default: disable it and serve the rest)',
    )
    .action(async (configArg: string | undefined, o: Record<string, string | boolean | undefined>) => {
      const { serve } = await import('./serve.js');
      await serve({
        configPath: (o.config as string | undefined) ?? configArg,
        port: parsePort(String(o.port)),
        host: String(o.host),
        detailedDebug: Boolean(o.detailed_debug || o.detailedDebug),
        dataDir: resolve(String(o.dataDir)),
        databaseUrl: o.databaseUrl as string | undefined,
        strict: Boolean(o.strict),
      });
    });

  const pricing = program.command('pricing').description('inspect prices');
  pricing
    .command('explain')
    .description('every deployment with its effective prices and where each came from')
    .argument('[model_name]', 'only this model group')
    .requiredOption('-c, --config <path>', 'path to config.yaml')
    .option('--json', 'machine-readable output')
    .option('--data-dir <dir>', "the gateway's data folder (its cached cost map)", '.tollgate')
    .option('--strict', 'as `tollgate --strict`: deployment problems are errors')
    .action(
      async (
        modelName: string | undefined,
        o: { config: string; json?: boolean; dataDir: string; strict?: boolean },
      ) => {
        const { pricingExplain } = await import('./pricing-commands.js');
        const r = await pricingExplain({
          configPath: o.config,
          modelName,
          json: o.json,
          dataDir: resolve(o.dataDir),
          strict: o.strict,
        });
        process.stdout.write(`${r.text}\n`);
        // Non-zero when the gateway would not serve everything this prints: disabled deployments or errors.
        if (r.errors > 0) process.exitCode = 1;
      },
    );

  program
    .command('cost')
    .description('price a usage with the built-in catalog')
    .requiredOption(
      '-m, --model <model>',
      'catalog model, e.g. gpt-4o or anthropic/claude-3-5-sonnet-20241022',
    )
    .option('--input <n>', 'prompt tokens (including cached)', '0')
    .option('--output <n>', 'completion tokens (including reasoning)', '0')
    .option('--cached <n>', 'cache-read prompt tokens', '0')
    .option('--cache-write <n>', 'cache-creation prompt tokens', '0')
    .option('--reasoning <n>', 'reasoning tokens', '0')
    .option('--seconds <n>', 'request duration in seconds (per-second prices)', '0')
    .option('--cache-write-1h <n>', 'of the cache-write tokens, 1-hour cache writes', '0')
    .option('--service-tier <tier>', 'flex | priority (OpenAI service tiers)')
    .option('--batch', 'priced as a batch call')
    .option('--json', 'machine-readable output')
    .action(async (o: Record<string, string | boolean>) => {
      const { costCommand } = await import('./pricing-commands.js');
      const n = (k: string) => Number(o[k] ?? 0);
      process.stdout.write(
        `${costCommand({
          model: String(o.model),
          input: n('input'),
          output: n('output'),
          cached: n('cached'),
          cacheWrite: n('cacheWrite'),
          reasoning: n('reasoning'),
          seconds: n('seconds'),
          cacheWrite1h: n('cacheWrite1h'),
          serviceTier: o.serviceTier as string | undefined,
          batch: o.batch === true,
          json: Boolean(o.json),
        })}\n`,
      );
    });

  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations (also done at startup)')
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL, else the embedded database)')
    .option('--data-dir <dir>', 'embedded database folder', '.tollgate')
    .action(async (o: { databaseUrl?: string; dataDir: string }) => {
      const { openStore } = await import('../store/open.js');
      const { migrate } = await import('../store/migrate.js');
      const url = o.databaseUrl ?? process.env.DATABASE_URL;
      const store = await openStore({ databaseUrl: url, dataDir: resolve(o.dataDir, 'db'), migrate: false });
      const applied = await migrate(store);
      await store.close();
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'schema is up to date\n');
    });

  const spend = program.command('spend').description('spend reports read from the database');
  const dbOptions = (c: Command) =>
    c
      .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL, else the embedded database)')
      .option('--data-dir <dir>', 'embedded database folder', '.tollgate');
  dbOptions(
    spend
      .command('report')
      .description('spend grouped by team, customer, key, user, model or tag')
      .addOption(
        new Option('--group-by <dim>', 'dimension')
          .choices(['team', 'customer', 'api_key', 'key', 'user', 'model', 'tag'])
          .default('team'),
      )
      .requiredOption('--from <date>', 'start date YYYY-MM-DD (inclusive)')
      .requiredOption('--to <date>', 'end date YYYY-MM-DD (inclusive)')
      .option('--timezone <tz>', 'IANA time zone for day boundaries', 'UTC')
      .option('--json', 'JSON output')
      .option('--csv', 'CSV output'),
  ).action(async (o: Record<string, string | boolean | undefined>) => {
    const { spendReportCommand } = await import('./spend-commands.js');
    await withDb(o, async (store) =>
      spendReportCommand({
        db: store,
        groupBy: String(o.groupBy),
        from: String(o.from),
        to: String(o.to),
        timezone: o.timezone as string | undefined,
        format: o.json ? 'json' : o.csv ? 'csv' : 'table',
      }),
    );
  });
  dbOptions(
    spend
      .command('export')
      .description('export spend logs as FinOps FOCUS or CSV')
      .addOption(new Option('--format <format>', 'export format').choices(['focus', 'csv']).default('focus'))
      .requiredOption('--from <date>', 'start date YYYY-MM-DD (inclusive)')
      .requiredOption('--to <date>', 'end date YYYY-MM-DD (inclusive)'),
  ).action(async (o: Record<string, string | undefined>) => {
    const { spendExportCommand } = await import('./spend-commands.js');
    await withDb(o, async (store) =>
      spendExportCommand({
        db: store,
        format: o.format as 'focus' | 'csv',
        from: String(o.from),
        to: String(o.to),
      }),
    );
  });

  dbOptions(
    program
      .command('reprice')
      .description(
        're-price stored spend with another price set: diff report, then apply (rows, rollups, totals, audit)',
      )
      .requiredOption('--from <date>', 'first day YYYY-MM-DD (UTC, inclusive)')
      .requiredOption('--to <date>', 'last day YYYY-MM-DD (UTC, inclusive)')
      .option('--model <model>', 'only this deployment model or model group')
      .option('--team <team_id>', 'only this team')
      .option(
        '--prices <file>',
        'LiteLLM-format cost map whose entries replace the prices in effect for the range',
      )
      .option(
        '-c, --config <path>',
        "config.yaml: deployments' custom prices and base_model, as the gateway priced",
      )
      .option('--dry-run', 'report only, write nothing')
      .option('--resume <run_id>', 'continue an interrupted run')
      .option('--workers <n>', 'day slices applied at the same time (PostgreSQL; default 2)')
      .option('--json', 'JSON output')
      .option('--csv', 'CSV output (one line per key / team / model)'),
  ).action(async (o: Record<string, string | boolean | undefined>) => {
    const { repriceCommand } = await import('./reprice-command.js');
    await withDb(o, async (store) =>
      repriceCommand({
        db: store,
        from: String(o.from),
        to: String(o.to),
        model: o.model as string | undefined,
        team: o.team as string | undefined,
        pricesPath: o.prices as string | undefined,
        configPath: o.config as string | undefined,
        dryRun: o.dryRun === true,
        resume: o.resume as string | undefined,
        workers: o.workers === undefined ? undefined : Number(o.workers),
        format: o.json ? 'json' : o.csv ? 'csv' : 'table',
      }),
    );
  });

  program
    .command('mock-upstream')
    .description('run the built-in mock provider server (OpenAI, Azure, Anthropic, Ollama wire formats)')
    .option('-p, --port <port>', 'port', '4100')
    .option('--host <host>', 'address', '127.0.0.1')
    .action(async (o: { port: string; host: string }) => {
      const { startMockUpstream } = await import('../mock-upstream/server.js');
      const m = await startMockUpstream({ port: parsePort(o.port), host: o.host });
      process.stdout.write(`mock upstream listening on ${m.url}\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `Tollgate cannot start: the config has errors\n${formatDiagnostics(err.diagnostics)}\n`,
      );
      process.exit(2);
    }
    const name = (err as Error)?.name;
    if (
      name === 'StartupError' ||
      name === 'PricingError' ||
      name === 'RangeError' ||
      name === 'DatabaseUnavailableError'
    ) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function withDb(
  o: Record<string, unknown>,
  run: (db: import('../store/db.js').Db) => Promise<string>,
): Promise<void> {
  const { openStore } = await import('../store/open.js');
  const url = (o.databaseUrl as string | undefined) ?? process.env.DATABASE_URL;
  const store = await openStore({
    databaseUrl: url,
    dataDir: resolve(String(o.dataDir ?? '.tollgate'), 'db'),
  });
  try {
    process.stdout.write(`${await run(store)}\n`);
  } finally {
    await store.close();
  }
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`invalid port: ${v}\n`);
    process.exit(2);
  }
  return n;
}
