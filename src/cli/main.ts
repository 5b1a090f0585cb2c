import path from 'node:path';
import { Command, Option } from 'commander';
import { ConfigError, loadConfig, readEnvironment, type Config } from '../config.js';
import { createContext, VERSION } from '../app.js';
import { obtainPassphrase, PassphraseError, restoreBackup } from '../platform/backup.js';
import { acquireDataDirLock, DataDirLockedError, runThroughControlSocket, type CommandIO } from '../platform/control.js';
import { openFileStore } from '../platform/files.js';
import { terminalProgress } from '../platform/progress.js';
import { parseRoles, ROLES, RolesError, startServer, type Role } from '../server.js';
import { runCommand } from './commands.js';

/** `satukota` — one CLI for the server and for operating it. */

// Whatever this process creates — PGlite's data and WAL, photos, keys, sockets, lock files — is the
// service user's alone; the database's own files get no mode of ours, so only the umask reaches them.
process.umask(0o077);

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee the README for every variable.\n`);
      process.exit(78);
    }
    throw error;
  }
}

const io: CommandIO = {
  print: (line) => process.stdout.write(`${line}\n`),
  error: (line) => process.stderr.write(`${line}\n`),
  progress: terminalProgress(),
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * With PGlite: through the running server's control socket when there is one, otherwise with the
 * data-dir lock held. A server that is still starting gets a few seconds; then a clear error, no hang.
 */
async function runDatabaseCommand(command: string, args: Record<string, unknown>): Promise<never> {
  const cfg = config();
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (cfg.database.kind === 'pglite') {
      const remote = await runThroughControlSocket(cfg.dataDir, { command, args }, io);
      if (remote !== undefined) process.exit(remote);
    }
    let lock: { release(): void } | undefined;
    try {
      lock = cfg.database.kind === 'pglite' ? acquireDataDirLock(cfg.dataDir, 'cli') : undefined;
    } catch (error) {
      if (!(error instanceof DataDirLockedError)) throw error;
      if (Date.now() > deadline) {
        io.error(`${error.message}, and it does not answer on its control socket. Try again when it has finished starting or stopping.`);
        process.exit(75);
      }
      await sleep(500);
      continue;
    }
    let code: number;
    try {
      // `migrate` applies the migrations itself, so that it can report what it applied.
      const ctx = await createContext({ ...cfg, logLevel: 'warn' }, { skipMigrations: command === 'migrate' });
      try {
        code = await runCommand(ctx, { command, args }, io);
      } finally {
        await ctx.close();
      }
    } finally {
      lock?.release();
    }
    // Outside the try: process.exit skips `finally`, which left the lock file behind.
    process.exit(code);
  }
}

const program = new Command('satukota')
  .description('SatuKota — one door to the city: citizen reports, services, command center, data exchange.')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('serve', { isDefault: true })
  .description('Run the platform (HTTP API, web app, jobs); migrates, and seeds the demo city when DEMO is on')
  .option('--roles <roles>', `what this node does, comma-separated: web (HTTP API, web app, live stream), worker (jobs: notifications, deadlines, sweeps); split roles need PostgreSQL`, ROLES.join(','))
  .option('--health-port <port>', 'a worker-only node answers GET /health on this port (none without it)')
  .action(async (opts: { roles: string; healthPort?: string }) => {
    let roles: Role[];
    let healthPort: number | undefined;
    try {
      roles = parseRoles(opts.roles);
      if (opts.healthPort !== undefined) {
        healthPort = Number(opts.healthPort);
        if (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535) throw new RolesError(`--health-port: "${opts.healthPort}" is not a port number.`);
        if (roles.includes('web')) throw new RolesError('--health-port is for a worker-only node: a web node answers /health on PORT.');
      }
    } catch (error) {
      if (!(error instanceof RolesError)) throw error;
      io.error(error.message);
      process.exit(64);
    }
    const cfg = config();
    try {
      const server = await startServer(cfg, { roles, healthPort });
      const where = roles.includes('web') ? `at ${server.url}` : `as a worker${server.url ? `, health at ${server.url}/health` : ''}`;
      const what = roles.length < ROLES.length ? `roles: ${roles.join(', ')}; ` : '';
      io.print(`SatuKota ${VERSION} is running ${where} (${what}database: ${server.ctx.db.kind}, city ${cfg.cityCode})`);
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        io.print('Stopping…');
        await server.stop();
        process.exit(0);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    } catch (error) {
      if (error instanceof DataDirLockedError) {
        io.error(`${error.message}. Only one server may use a PGlite data directory.`);
        process.exit(75);
      }
      if (error instanceof RolesError) {
        io.error(error.message);
        process.exit(64);
      }
      throw error;
    }
  });

program
  .command('migrate')
  .description('Apply pending database migrations (also done at every start)')
  .action(() => runDatabaseCommand('migrate', {}));

program
  .command('seed')
  .description('Seed data')
  .command('demo')
  .description('Seed the demo city (Kota Cilegon) into an empty database; accounts are written to DATA_DIR/demo-accounts.txt')
  .action(() => runDatabaseCommand('seed demo', {}));

program
  .command('user')
  .description('Manage accounts')
  .command('create')
  .description('Create an officer account')
  .requiredOption('--username <username>', 'login name')
  .requiredOption('--name <name>', 'full name')
  .addOption(new Option('--role <role>', 'role').choices(['admin', 'coordinator', 'pimpinan', 'command', 'officer']).makeOptionMandatory())
  .option('--scope <scope>', 'city | opd:<code> | kecamatan:<code> | kelurahan:<code>, optionally ",head"')
  .option('--head', 'the head of the scope (kepala OPD, camat, lurah)')
  .option('--phone <phone>', 'mobile number')
  .option('--password <password>', 'password (generated and printed when omitted)')
  .action((opts: Record<string, unknown>) => runDatabaseCommand('user create', opts));

const imports = program.command('import').description('Import reference data');
imports
  .command('regions')
  .description('Import a regency\'s kecamatan and kelurahan/desa from the Kemendagri list (idn-area-data)')
  .argument('<regency-code>', 'e.g. 36.72 (Kota Cilegon)')
  .action((code: string) => runDatabaseCommand('import regions', { code }));
imports
  .command('boundaries')
  .description('Import kelurahan boundary polygons from a GeoJSON FeatureCollection (all or nothing)')
  .argument('<file.geojson>', 'the GeoJSON file')
  .option('--code-property <name>', 'the feature property holding the Kemendagri code', 'KDEPUM')
  .option('--approximate', 'mark the imported shapes as approximate')
  .action((file: string, opts: { codeProperty: string; approximate?: boolean }) =>
    runDatabaseCommand('import boundaries', { file: path.resolve(file), codeProperty: opts.codeProperty, approximate: opts.approximate ?? false }),
  );

program
  .command('audit')
  .description('The audit trail')
  .command('verify')
  .description('Verify the audit chain; exits 0 when intact, 3 naming the first broken entry otherwise')
  .action(() => runDatabaseCommand('audit verify', {}));

const open311 = program.command('open311').description('Open311 GeoReport v2 at /open311/v2/');
open311
  .command('key')
  .description('API keys for Open311 clients')
  .command('create')
  .argument('<name>', 'who the key is for, e.g. "Aplikasi mitra"')
  .description('Make an API key; it is printed on the last line, once')
  .action((name: string) => runDatabaseCommand('open311 key create', { name }));

/** The backup passphrase from SATUKOTA_BACKUP_PASSPHRASE or the terminal; a clear refusal otherwise. */
async function backupPassphrase(forNewBackup: boolean): Promise<string> {
  try {
    return await obtainPassphrase({ forNewBackup });
  } catch (error) {
    if (!(error instanceof PassphraseError)) throw error;
    io.error(error.message);
    process.exit(1);
  }
}

program
  .command('backup')
  .description('Write the database, the files and the keys to one file encrypted with a passphrase (SATUKOTA_BACKUP_PASSPHRASE, or asked); runs beside a running server')
  .argument('<file>', 'the backup file to write (written whole or not at all)')
  .option('--force', 'replace an existing file')
  .action(async (file: string, opts: { force?: boolean }) =>
    runDatabaseCommand('backup', { file: path.resolve(file), force: opts.force ?? false, passphrase: await backupPassphrase(true) }),
  );

program
  .command('restore')
  .description('Restore a backup into an empty installation (stop the server first); the whole file is checked before anything changes')
  .argument('<file>', 'the backup file')
  .option('--force', 'empty a database and file store that are not empty, then restore')
  .option('--verify-only', 'check the passphrase and every byte of the file; change nothing')
  .action(async (file: string, opts: { force?: boolean; verifyOnly?: boolean }) => {
    const passphrase = await backupPassphrase(false);
    const code = await restoreBackup(
      {
        file,
        passphrase,
        force: opts.force ?? false,
        verifyOnly: opts.verifyOnly ?? false,
        env: readEnvironment(),
        openFileStore,
        async checkInstallation(cfg, db, out) {
          const ctx = await createContext({ ...cfg, logLevel: 'warn' }, { db });
          try {
            return (await runCommand(ctx, { command: 'audit verify', args: {} }, out)) === 0;
          } finally {
            await ctx.close();
          }
        },
      },
      io,
    );
    process.exit(code);
  });

await program.parseAsync(process.argv).catch((error: unknown) => {
  // A setting checked when it is first used (the S3 bucket and its keys) is named like the others, without a stack trace.
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\nSee the README for every variable.\n`);
    process.exit(78);
  }
  throw error;
});
