import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { randomToken } from '../../platform/crypto.js';
import { errors } from '../../platform/errors.js';

// @node-rs/argon2's Algorithm is an ambient const enum; 2 is Argon2id.
const ARGON2ID = 2;

/** Argon2id hashing of passwords, with the cost the operator configured. */
export class Passwords {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly cost: { memoryKib: number; timeCost: number }) {}

  hash(password: string): Promise<string> {
    return argon2Hash(password, { algorithm: ARGON2ID, memoryCost: this.cost.memoryKib, timeCost: this.cost.timeCost, parallelism: 1 });
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    // Unknown accounts cost the same time as known ones: no account enumeration by timing.
    this.dummyHash ??= this.hash(randomToken());
    const target = hash ?? (await this.dummyHash);
    const ok = await argon2Verify(target, password).catch(() => false);
    return ok && hash !== null;
  }
}

export function checkPassword(password: string): void {
  if (password.length < 8 || password.length > 200) {
    throw errors.badRequest('password_too_short', { id: 'Kata sandi minimal 8 karakter.', en: 'The password needs at least 8 characters.' }, { field: 'password' });
  }
}
