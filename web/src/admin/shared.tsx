// Small pieces the admin sections share (loading and actions: ../backoffice.tsx, shared with the officers' area).
import { useLayoutEffect, useRef, type ReactNode } from 'react';
import { PageTitle } from '../ui';

/**
 * The admin list table: column headers (the last one, for the row buttons, is read only by screen readers),
 * one row per item, or one muted row saying the list is empty.
 */
export function AdminTable<T>({
  columns,
  actions,
  items,
  empty,
  caption,
  children,
}: {
  columns: string[];
  /** the screen-reader name of the trailing actions column; omit when rows have no buttons */
  actions?: string;
  items: readonly T[];
  empty?: string;
  caption?: string;
  children: (item: T) => ReactNode;
}) {
  const width = columns.length + (actions ? 1 : 0);
  const table = useRef<HTMLTableElement>(null);
  // Each cell carries its column's name for the phone layout, where the header row is hidden. The roles
  // keep the table a table for screen readers when CSS lays it out as cards.
  useLayoutEffect(() => {
    for (const row of table.current?.tBodies[0]?.rows ?? []) {
      row.setAttribute('role', 'row');
      [...row.cells].forEach((cell, i) => {
        cell.setAttribute('role', 'cell');
        if (i > 0 && i < columns.length && row.cells.length === width) cell.dataset.label = columns[i];
      });
    }
  });
  return (
    <div className="bo-table-wrap">
      <table className="bo-table bo-table--cards" ref={table} role="table">
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr role="row">
            {columns.map((c) => (
              <th scope="col" role="columnheader" key={c}>
                {c}
              </th>
            ))}
            {actions && (
              <th scope="col" role="columnheader">
                <span className="visually-hidden">{actions}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {items.length === 0 && empty && (
            <tr>
              <td colSpan={width} className="muted">
                {empty}
              </td>
            </tr>
          )}
          {items.map(children)}
        </tbody>
      </table>
    </div>
  );
}

export function SectionHead({ title, lead, children }: { title: string; lead: string; children?: ReactNode }) {
  return (
    <div className="ad-section-head">
      <div>
        <PageTitle title={title}>{title}</PageTitle>
        <p className="muted ad-lead">{lead}</p>
      </div>
      {children}
    </div>
  );
}

export function fmtDateTime(iso: string | null, lang: 'id' | 'en'): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'medium', timeStyle: 'short' });
}

export function fmtDate(date: string, lang: 'id' | 'en'): string {
  return new Date(date + 'T00:00:00').toLocaleDateString(lang === 'en' ? 'en-GB' : 'id-ID', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}
