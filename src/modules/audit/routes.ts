import { z } from 'zod';
import { errorSchema, type HttpApp } from '../../platform/http.js';
import { auditPolicy } from './policy.js';
import type { AuditTrail } from './audit.js';

export function auditRoutes(app: HttpApp, audit: AuditTrail): void {
  const tags = ['audit'];
  const errs = { 400: errorSchema, 401: errorSchema, 403: errorSchema };
  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags,
        summary: 'The audit trail, newest first (admin)',
        querystring: z.object({
          before: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          subjectType: z.string().max(40).optional(),
          subjectId: z.string().max(80).optional(),
        }),
        response: {
          200: z.object({
            entries: z.array(
              z.object({
                seq: z.number(),
                at: z.string(),
                actorId: z.string().nullable(),
                actorLabel: z.string(),
                action: z.string(),
                subjectType: z.string().nullable(),
                subjectId: z.string().nullable(),
                details: z.record(z.string(), z.unknown()),
              }),
            ),
            nextCursor: z.number().nullable(),
          }),
          ...errs,
        },
      },
    },
    async (request) => {
      auditPolicy.authorize(request.principal, 'audit.read');
      const q = request.query;
      const rows = await audit.list({ before: q.before, limit: q.limit, subject: q.subjectType && q.subjectId ? { type: q.subjectType, id: q.subjectId } : undefined });
      return {
        entries: rows.map((r) => ({ seq: r.seq, at: r.at.toISOString(), actorId: r.actor_id, actorLabel: r.actor_label, action: r.action, subjectType: r.subject_type, subjectId: r.subject_id, details: r.details })),
        nextCursor: rows.length === q.limit ? (rows.at(-1)?.seq ?? null) : null,
      };
    },
  );
  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags,
        summary: 'Verify the whole audit chain (admin)',
        response: { 200: z.object({ ok: z.boolean(), checked: z.number(), firstBrokenSeq: z.number().optional(), reason: z.string().optional() }), ...errs },
      },
    },
    async (request) => {
      auditPolicy.authorize(request.principal, 'audit.read');
      return audit.verify();
    },
  );
}
