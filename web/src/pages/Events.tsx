/** The event explorer: search by principal, action, account and time; each record's raw JSON. */
import { useState } from 'react';
import { apiGet, query } from '../api';
import { useLoad, href } from '../hooks';
import type { EventItem, Page } from '../types';
import { ErrorBox, JsonText, Loading, Section } from '../components/ui';
import { FilterForm, setParams } from '../components/Filters';
import { when } from '../format';

const FIELDS = [
  { name: 'principal', label: 'Principal ARN', placeholder: 'arn:aws:iam::…:role/…' },
  { name: 'action', label: 'Action', placeholder: 's3:GetObject' },
  { name: 'account', label: 'Account', placeholder: '12 digits' },
  { name: 'since', label: 'Since', placeholder: '2026-05-01T00:00:00Z' },
  { name: 'until', label: 'Until', placeholder: 'ISO time' },
];

export function EventsPage({ params, selected }: { params: URLSearchParams; selected?: string | undefined }) {
  const filters = Object.fromEntries(FIELDS.map((f) => [f.name, params.get(f.name) ?? ''])) as Record<string, string>;
  const errors = params.get('errors') === 'true';
  const base = `/api/events${query({ ...filters, errors: errors ? 'true' : undefined, raw: 'true' })}`;
  const [pages, setPages] = useState<{ key: string; cursors: string[] }>({ key: base, cursors: [] });
  const cursors = pages.key === base ? pages.cursors : [];
  const key = `${base}#${cursors.join(',')}`;
  const list = useLoad(async () => {
    const out: EventItem[] = [];
    let next: string | null = null;
    for (const cursor of [undefined, ...cursors]) {
      const page: Page<EventItem> = await apiGet<Page<EventItem>>(`${base}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      out.push(...page.items);
      next = page.next;
    }
    return { items: out, next };
  }, key);
  const apply = (v: Record<string, string>) => setParams('events', { ...v, errors: errors ? 'true' : '' });
  const inList = list.data?.items.find((e) => e.eventID === selected);

  return (
    <>
      <h1>Events</h1>
      <FilterForm fields={FIELDS} values={filters} onApply={apply}>
        <label className="filter checkbox">
          <input type="checkbox" checked={errors} onChange={(e) => setParams('events', { ...filters, errors: e.target.checked ? 'true' : '' })} /> Errors only
        </label>
      </FilterForm>
      {selected ? <EventDetail id={selected} known={inList} /> : null}
      {list.error ? <ErrorBox error={list.error} what="events" /> : null}
      {list.loading && !list.data ? <Loading what="events" /> : null}
      {list.data ? (
        <>
          <p className="muted" aria-live="polite">
            {list.data.items.length} event(s){list.data.next ? ' (more available)' : ''}
          </p>
          <div className="table-wrap">
            <table className="events">
              <caption className="sr-only">Events</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Action</th>
                  <th scope="col">Principal</th>
                  <th scope="col">Account</th>
                  <th scope="col">Source IP</th>
                  <th scope="col">User agent</th>
                  <th scope="col">Error</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((e) => (
                  <tr key={e.eventID} data-event-id={e.eventID} className={e.eventID === selected ? 'selected' : undefined}>
                    <td data-label="Time">
                      <a href={`${href('events', e.eventID)}${window.location.hash.includes('?') ? `?${window.location.hash.split('?')[1]}` : ''}`}>{when(e.eventTime)}</a>
                    </td>
                    <td data-label="Action">{`${e.eventSource.replace('.amazonaws.com', '')}:${e.eventName}`}</td>
                    <td data-label="Principal" className="break">
                      {e.principalArn ?? '—'}
                      {e.sessionName ? <span className="muted"> ({e.sessionName})</span> : null}
                    </td>
                    <td data-label="Account">{e.recipientAccountId ?? '—'}</td>
                    <td data-label="Source IP">{e.sourceIPAddress ?? '—'}</td>
                    <td data-label="User agent" className="ua" title={e.userAgent ?? undefined}>
                      {e.userAgent ?? '—'}
                    </td>
                    <td data-label="Error">{e.errorCode ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.data.next ? (
            <button type="button" onClick={() => setPages({ key: base, cursors: [...cursors, list.data!.next!] })}>
              Load more
            </button>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function EventDetail({ id, known }: { id: string; known: EventItem | undefined }) {
  const event = useLoad(() => (known?.raw !== undefined ? Promise.resolve(known) : apiGet<EventItem>(`/api/events/${encodeURIComponent(id)}`)), `${id}:${known ? 1 : 0}`);
  return (
    <Section title={`Event ${id}`}>
      {event.error ? <ErrorBox error={event.error} what={`event ${id}`} /> : null}
      {event.data ? (
        <>
          <dl className="facts">
            <dt>Time</dt>
            <dd>{when(event.data.eventTime)}</dd>
            <dt>Action</dt>
            <dd>{`${event.data.eventSource}:${event.data.eventName}`}</dd>
            <dt>Principal</dt>
            <dd className="break">{event.data.principalArn ?? '—'}</dd>
            <dt>IAM actions</dt>
            <dd>{event.data.actions.join(', ') || '—'}</dd>
            <dt>Error</dt>
            <dd>{event.data.errorCode ? `${event.data.errorCode}: ${event.data.errorMessage ?? ''}` : 'none'}</dd>
          </dl>
          <h3>Raw record</h3>
          <JsonText value={event.data.raw ?? event.data} label="Raw CloudTrail record" />
        </>
      ) : null}
    </Section>
  );
}
