import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ensurePrivateDir } from './files.js';
import type { Progress } from './progress.js';

/**
 * A PGlite database belongs to one process. The data-dir lock says which one; while the server
 * holds it, CLI commands run inside the server through a control socket in DATA_DIR (mode 0600,
 * so only the same OS user can use it). Commands stream NDJSON lines back: output, progress, exit.
 */
export const LOCK_FILE = 'satukota.lock';
export const CONTROL_SOCKET = 'control.sock';

export interface LockInfo {
  pid: number;
  owner: 'server' | 'cli';
  startedAt: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly holder: LockInfo,
    readonly lockFile: string,
  ) {
    super(`DATA_DIR is in use by another SatuKota process (${holder.owner}, pid ${holder.pid}; lock ${lockFile})`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireDataDirLock(dataDir: string, owner: LockInfo['owner']): { release(): void } {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const info: LockInfo = { pid: process.pid, owner, startedAt: new Date().toISOString() };
      fs.writeFileSync(file, JSON.stringify(info), { flag: 'wx', mode: 0o600 });
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            const current = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
            if (current.pid === process.pid) fs.unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        holder = undefined; // half-written by a process that died: stale
      }
      if (holder && alive(holder.pid) && holder.pid !== process.pid) throw new DataDirLockedError(holder, file);
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not take the lock ${file}`);
}

export type ControlMessage =
  | { type: 'print'; line: string; stream?: 'stdout' | 'stderr' }
  | { type: 'progress'; event: 'start'; total: number; label: string }
  | { type: 'progress'; event: 'update'; current: number }
  | { type: 'progress'; event: 'stop' }
  | { type: 'exit'; code: number };

export interface CommandIO {
  print(line: string): void;
  error(line: string): void;
  progress: Progress;
}

export type CommandRequest = { command: string; args: Record<string, unknown> };
export type CommandHandler = (request: CommandRequest, io: CommandIO) => Promise<number>;

export function startControlServer(dataDir: string, handler: CommandHandler): Promise<{ close(): Promise<void>; socketPath: string }> {
  const socketPath = path.join(dataDir, CONTROL_SOCKET);
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/run') {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const send = (m: ControlMessage) => res.write(`${JSON.stringify(m)}\n`);
      const io: CommandIO = {
        print: (line) => send({ type: 'print', line }),
        error: (line) => send({ type: 'print', line, stream: 'stderr' }),
        progress: {
          start: (total, label) => send({ type: 'progress', event: 'start', total, label }),
          update: (current) => send({ type: 'progress', event: 'update', current }),
          stop: () => send({ type: 'progress', event: 'stop' }),
        },
      };
      let code = 1;
      try {
        code = await handler(JSON.parse(body) as CommandRequest, io);
      } catch (error) {
        io.error(error instanceof Error ? error.message : String(error));
      }
      send({ type: 'exit', code });
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      fs.chmodSync(socketPath, 0o600);
      resolve({
        socketPath,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            fs.rmSync(socketPath, { force: true });
          }),
      });
    });
  });
}

/**
 * Runs a command in the server through the socket. Resolves undefined when no server listens
 * (no socket, or a stale one), so the caller can open the database itself.
 */
export function runThroughControlSocket(dataDir: string, request: CommandRequest, io: CommandIO): Promise<number | undefined> {
  const socketPath = path.join(dataDir, CONTROL_SOCKET);
  if (!fs.existsSync(socketPath)) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    let connected = false;
    const req = http.request({ socketPath, method: 'POST', path: '/run', headers: { 'content-type': 'application/json' } }, (res) => {
      let buffer = '';
      let exitCode: number | undefined;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const m = JSON.parse(buffer.slice(0, nl)) as ControlMessage;
          buffer = buffer.slice(nl + 1);
          if (m.type === 'print') (m.stream === 'stderr' ? io.error : io.print)(m.line);
          else if (m.type === 'exit') exitCode = m.code;
          else if (m.event === 'start') io.progress.start(m.total, m.label);
          else if (m.event === 'update') io.progress.update(m.current);
          else io.progress.stop();
        }
      });
      res.on('end', () => resolve(exitCode ?? 1));
      res.on('error', reject);
    });
    req.on('socket', (socket) => socket.on('connect', () => (connected = true)));
    req.setTimeout(3000, () => {
      // Only the connection must be quick; a long import may stream for minutes.
      if (!connected) req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && ['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT'].includes(error.code ?? '')) resolve(undefined);
      else reject(error);
    });
    req.end(JSON.stringify(request));
  });
}
