import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { VERSION, type AppContext } from '../app.js';
import { BackupError, createBackup, PassphraseError } from '../platform/backup.js';
import type { CommandIO, CommandRequest } from '../platform/control.js';
import { AppError } from '../platform/errors.js';
import { migrate } from '../platform/migrate.js';
import { describeDemoHistory, seedDemo } from '../modules/demo/index.js';
import { OFFICER_ROLES, type Role, type Scope } from '../modules/identity/index.js';

/**
 * The CLI commands that touch the database, as plain functions over the app context. The same
 * function runs in the CLI process (database opened directly) or inside a running server (through
 * the control socket), so both paths behave alike.
 */
type Handler = (ctx: AppContext, args: Record<string, unknown>, io: CommandIO) => Promise<number>;

export function parseScope(text: string | undefined): { scope: Scope | null; isHead: boolean } {
  if (!text || text === '-') return { scope: null, isHead: false };
  const [main, flag] = text.split(',');
  const isHead = flag === 'head';
  if (main === 'city') return { scope: { kind: 'city', code: '' }, isHead };
  const m = main?.match(/^(opd|kecamatan|kelurahan):(.+)$/);
  if (!m) throw new Error(`invalid scope "${text}": use city, opd:<code>, kecamatan:<code> or kelurahan:<code>, optionally followed by ,head`);
  return { scope: { kind: m[1] as Scope['kind'], code: m[2]! }, isHead };
}

const handlers: Record<string, Handler> = {
  async migrate(ctx, _args, io) {
    const result = await migrate(ctx.db);
    io.print(result.applied.length > 0 ? `Applied: ${result.applied.join(', ')}` : `Database is up to date (${result.alreadyApplied} migrations).`);
    return 0;
  },

  async 'seed demo'(ctx, _args, io) {
    const seeded = await seedDemo(ctx, { progress: io.progress });
    if (!seeded) {
      io.error('The database already has accounts; the demo city is only seeded into an empty database.');
      return 1;
    }
    io.print(`Demo city seeded: ${seeded.accounts.length} accounts. Logins and passwords: ${seeded.file}`);
    if (seeded.history) io.print(describeDemoHistory(seeded.history));
    return 0;
  },

  async 'user create'(ctx, args, io) {
    const role = String(args.role) as Role;
    if (!(OFFICER_ROLES as readonly string[]).includes(role)) {
      io.error(`--role must be one of ${OFFICER_ROLES.join(', ')} (citizens register themselves)`);
      return 2;
    }
    const { scope, isHead } = parseScope(args.scope as string | undefined);
    if (scope?.kind === 'city') scope.code = ctx.config.cityCode;
    const password = (args.password as string | undefined) ?? randomBytes(9).toString('base64url');
    const user = await ctx.identity.officers.createOfficer(
      { username: String(args.username), name: String(args.name), role: role as Exclude<Role, 'citizen'>, scope, isHead: isHead || Boolean(args.head), password, phone: args.phone as string | undefined },
      { id: null, label: 'cli' },
    );
    io.print(`Created ${user.role} ${user.username} (${user.id})${user.scope ? ` scope ${user.scope.kind}:${user.scope.code}${user.scope.isHead ? ' (head)' : ''}` : ''}`);
    if (!args.password) io.print(`Password: ${password}`);
    return 0;
  },

  async 'import regions'(ctx, args, io) {
    const code = String(args.code);
    const result = await ctx.regions.importRegency(code, io.progress);
    io.print(`Imported ${code}: ${result.districts} kecamatan, ${result.villages} kelurahan/desa.`);
    return 0;
  },

  async 'import boundaries'(ctx, args, io) {
    const result = await ctx.regions.importBoundaries(
      { file: path.resolve(String(args.file)) },
      { codeProperty: args.codeProperty as string | undefined, approximate: Boolean(args.approximate), source: path.basename(String(args.file)), progress: io.progress },
    );
    io.print(`Imported ${result.imported} kelurahan boundaries${result.approximate ? ' (marked approximate)' : ''}.`);
    if (result.skipped.length > 0) {
      io.print(`Skipped ${result.skipped.length} feature(s):`);
      for (const s of result.skipped.slice(0, 20)) io.print(`  - ${s.reason}`);
      if (result.skipped.length > 20) io.print(`  … and ${result.skipped.length - 20} more`);
    }
    return 0;
  },

  async 'audit verify'(ctx, _args, io) {
    const result = await ctx.audit.verify((checked, total) => {
      if (total > 10_000) io.progress.update(checked);
    });
    if (result.ok) {
      io.print(`Audit trail intact: ${result.checked} entries verified.`);
      return 0;
    }
    io.error(`Audit trail BROKEN at entry ${result.firstBrokenSeq}: ${result.reason} (${result.checked} entries verified before it).`);
    return 3;
  },

  async 'open311 key create'(ctx, args, io) {
    const { key, record } = await ctx.open311Keys.create(String(args.name), { id: null, label: 'cli' });
    io.print(`Open311 API key "${record.name}" created (${record.prefix}…). It is shown only now; give it to the client as api_key:`);
    // The key alone on the last line, so a script can take it with `tail -n 1`.
    io.print(key);
    return 0;
  },

  async backup(ctx, args, io) {
    try {
      await createBackup({ config: ctx.config, db: ctx.db, files: ctx.files, version: VERSION }, { file: String(args.file), passphrase: String(args.passphrase), force: Boolean(args.force) }, io);
      return 0;
    } catch (error) {
      if (!(error instanceof BackupError || error instanceof PassphraseError)) throw error;
      io.error(error.message);
      return 1;
    }
  },
};

export async function runCommand(ctx: AppContext, request: CommandRequest, io: CommandIO): Promise<number> {
  const handler = handlers[request.command];
  if (!handler) {
    io.error(`unknown command ${request.command}`);
    return 2;
  }
  try {
    return await handler(ctx, request.args, io);
  } catch (error) {
    if (error instanceof AppError) {
      io.error(`${error.text.en}${error.details?.problems ? `\n  ${(error.details.problems as string[]).join('\n  ')}` : ''}`);
      return 1;
    }
    throw error;
  }
}
