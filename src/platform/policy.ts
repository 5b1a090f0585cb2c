import { errors } from './errors.js';

/**
 * A module's policy: its actions and who may do them. An action about a resource (this report, this
 * NIK) is declared with the resource's type and cannot be checked without one — the NIK-claim bug came
 * from a check that asked "may a lurah claim NIKs?" instead of "this NIK?". Generic over the principal,
 * which identity defines.
 */
type ResourceRules<P> = Record<string, (principal: P, resource: never) => boolean>;

export interface Policy<P, General extends string, OnResource extends ResourceRules<P>> {
  can(principal: P, action: General): boolean;
  can<A extends keyof OnResource & string>(principal: P, action: A, resource: Parameters<OnResource[A]>[1]): boolean;
  /** The principal when the action is allowed; 401 without one, 403 when it is not allowed. */
  authorize(principal: P | undefined, action: General): P;
  authorize<A extends keyof OnResource & string>(principal: P | undefined, action: A, resource: Parameters<OnResource[A]>[1]): P;
  /** Every action the policy declares (the policy matrix test checks each is exercised). */
  readonly actions: readonly string[];
}

export function definePolicy<P, General extends string, OnResource extends ResourceRules<P>>(rules: {
  general: Record<General, (principal: P) => boolean>;
  onResource: OnResource;
}): Policy<P, General, OnResource> {
  const all = { ...rules.general, ...rules.onResource } as Record<string, (principal: P, resource?: unknown) => boolean>;
  const can = (principal: P, action: string, resource?: unknown): boolean => {
    const rule = all[action];
    if (!rule) throw new Error(`unknown action ${action}`);
    return rule(principal, resource);
  };
  return {
    can,
    authorize(principal: P | undefined, action: string, resource?: unknown): P {
      if (principal === undefined) throw errors.unauthenticated();
      if (!can(principal, action, resource)) throw errors.forbidden();
      return principal;
    },
    actions: Object.keys(all),
  } as Policy<P, General, OnResource>;
}
