import type { AuditRecorder } from '../../platform/audit.js';
import type { Cipher } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';
import type { MessageSender } from '../../platform/messaging.js';
import { Accounts, type ScopeNamer } from './accounts.js';
import { NikClaims } from './nik-claims.js';
import { OneTimeCodes } from './one-time-codes.js';
import { Officers } from './officers.js';
import { Passwords } from './passwords.js';
import { Registration } from './registration.js';
import { Sessions } from './sessions.js';
import { Throttle } from './throttle.js';

export interface IdentityDeps {
  db: Database;
  cipher: Cipher;
  audit: AuditRecorder;
  sender: MessageSender;
  argon2: { memoryKib: number; timeCost: number };
  sessionTtlHours: number;
  /** Names a unit or a kelurahan: regions and agencies know the names, identity only the codes. */
  scopeName: ScopeNamer;
  clock?: () => Date;
}

/** Identity's parts, one reason to change each; built once per node. */
export interface Identity {
  accounts: Accounts;
  sessions: Sessions;
  registration: Registration;
  officers: Officers;
  nikClaims: NikClaims;
}

export function createIdentity(deps: IdentityDeps): Identity {
  const { db, cipher, audit, sender } = deps;
  const clock = deps.clock ?? (() => new Date());
  const throttle = new Throttle(db);
  const passwords = new Passwords(deps.argon2);
  const codes = new OneTimeCodes(db, cipher, sender);
  const accounts = new Accounts(db, cipher, audit, deps.scopeName);
  const sessions = new Sessions(db, cipher, audit, passwords, accounts, throttle, { ttlHours: deps.sessionTtlHours, clock });
  const registration = new Registration(db, cipher, audit, passwords, codes, sessions, accounts, throttle, clock);
  const officers = new Officers(db, cipher, audit, passwords, accounts);
  const nikClaims = new NikClaims({ db, cipher, audit, sender, scopeName: deps.scopeName, registration });
  return { accounts, sessions, registration, officers, nikClaims };
}
