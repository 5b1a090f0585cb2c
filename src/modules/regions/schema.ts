import { z } from 'zod';

/** A region and, below the kelurahan/desa level, its children: `GET /api/v1/regions` sends the city's tree. */
export interface RegionNode {
  code: string;
  name: string;
  level: 'province' | 'regency' | 'district' | 'village';
  villageKind?: 'kelurahan' | 'desa' | undefined;
  hasBoundary: boolean;
  boundaryApproximate: boolean;
  children?: RegionNode[];
}

// Recursive: zod cannot infer the type of a lazy schema, so the interface above types it.
export const regionNodeSchema: z.ZodType<RegionNode> = z.lazy(() =>
  z.object({
    code: z.string(),
    name: z.string(),
    level: z.enum(['province', 'regency', 'district', 'village']),
    villageKind: z.enum(['kelurahan', 'desa']).optional(),
    hasBoundary: z.boolean(),
    boundaryApproximate: z.boolean(),
    children: z.array(regionNodeSchema).optional(),
  }),
  // A named component: the OpenAPI document refers to it, and it to itself, by this id.
).meta({ id: 'RegionNode' });

/** What an import of kelurahan boundaries did: all or nothing, with the features it left out and why. */
export const boundaryImportResultSchema = z.object({ imported: z.number(), approximate: z.boolean(), skipped: z.array(z.object({ code: z.string().nullable(), reason: z.string() })) });
export type BoundaryImportResult = z.infer<typeof boundaryImportResultSchema>;
