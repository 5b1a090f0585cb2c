/**
 * The passphrase that encrypts a backup: from SATUKOTA_BACKUP_PASSPHRASE (cron, scripts), else asked
 * on the terminal without echo. The process environment only, not .env: the passphrase is better kept
 * away from the data directory whose keys it protects.
 */
export const PASSPHRASE_VARIABLE = 'SATUKOTA_BACKUP_PASSPHRASE';
export const MIN_PASSPHRASE_LENGTH = 12;

export class PassphraseError extends Error {}

/** Refuses a passphrase too short to stand an offline guessing attack on a stolen backup. */
export function checkNewPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
    throw new PassphraseError(
      `The backup passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters: the backup holds the keys to every citizen's personal data. ` +
        'Four or five random words, or `openssl rand -base64 24`, will do.',
    );
  }
}

/**
 * `forNewBackup`: the strength is checked and, on a terminal, it is asked twice. Throws PassphraseError
 * when there is neither the variable nor a terminal.
 */
export async function obtainPassphrase(options: { forNewBackup: boolean }, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const fromEnv = env[PASSPHRASE_VARIABLE];
  let passphrase: string;
  if (fromEnv) passphrase = fromEnv;
  else if (process.stdin.isTTY && process.stderr.isTTY) {
    passphrase = await askHidden('Backup passphrase: ');
    if (options.forNewBackup) {
      checkNewPassphrase(passphrase);
      if ((await askHidden('Repeat the passphrase: ')) !== passphrase) throw new PassphraseError('The two passphrases differ.');
    }
  } else {
    throw new PassphraseError(`Set ${PASSPHRASE_VARIABLE}, or run the command on a terminal to be asked for the passphrase.`);
  }
  if (options.forNewBackup) checkNewPassphrase(passphrase);
  return passphrase;
}

/** Reads a line from the terminal in raw mode, echoing nothing; Ctrl-C ends the process. */
function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve) => {
    let typed = '';
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          process.stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
