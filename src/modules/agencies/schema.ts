import { z } from 'zod';

/** An OPD or external agency as the API sends it; `head` is the officer heading it, if any. */
export const agencySchema = z.object({
  code: z.string(),
  kind: z.enum(['opd', 'external']),
  name: z.string(),
  shortName: z.string(),
  description: z.string().nullable(),
  head: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type Agency = z.infer<typeof agencySchema>;
