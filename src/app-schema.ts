import { z } from 'zod';

/** GET /api/v1/city (src/app.ts): the city this installation serves, also inlined in the web app's HTML. */
export const citySchema = z.object({
  code: z.string(),
  name: z.string(),
  provinceName: z.string(),
  timezone: z.string(),
  demo: z.boolean(),
  mapTiles: z.object({ url: z.string(), attribution: z.string() }).nullable(),
});
