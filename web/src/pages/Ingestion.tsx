/** Ingestion health per connector and account: delivery, lag, events per hour, gaps, quarantine. */
import { apiAll, ApiError } from '../api';
import { useLoad } from '../hooks';
import type { AccountCoverage, AccountHealth as AccountHealthDoc, AccountStatus, ConnectorStatus, EventItem } from '../types';
import { Badge, ErrorBox, Loading, Section } from '../components/ui';
import { BarChart } from '../components/BarChart';
import { ago, count, duration, when } from '../format';

const HOURS = 24;

async function loadStatus(): Promise<ConnectorStatus[]> {
  try {
    return await apiAll<ConnectorStatus>('/api/ingestion');
  } catch (e) {
    // Servers without /api/ingestion still have /api/status (the same per-connector document).
    if (e instanceof ApiError && e.routeMissing) return apiAll<ConnectorStatus>('/api/status');
    throw e;
  }
}

/** Events per hour over the day before the account's newest event, counted from the events list. */
async function hourly(account: AccountStatus): Promise<{ label: string; value: number }[]> {
  if (!account.newestEventTime) return [];
  const end = Math.ceil(Date.parse(account.newestEventTime) / 3_600_000) * 3_600_000;
  const start = end - HOURS * 3_600_000;
  const events = await apiAll<EventItem>(`/api/events?account=${account.accountId}&since=${new Date(start).toISOString()}`, 5000);
  const buckets = Array.from({ length: HOURS }, (_, i) => ({ label: new Date(start + i * 3_600_000).toISOString().slice(5, 13).replace('T', ' ') + 'h', value: 0 }));
  for (const e of events) {
    const i = Math.floor((Date.parse(e.eventTime) - start) / 3_600_000);
    if (i >= 0 && i < HOURS) buckets[i]!.value++;
  }
  return buckets;
}

export function IngestionPage() {
  const status = useLoad(loadStatus, 'status');
  const coverage = useLoad(() => apiAll<AccountCoverage>('/api/coverage'), 'coverage');
  const byAccount = new Map((coverage.data ?? []).map((c) => [c.accountId, c]));
  return (
    <>
      <h1>Ingestion health</h1>
      {status.error ? <ErrorBox error={status.error} what="ingestion status" /> : null}
      {status.loading && !status.data ? <Loading what="ingestion status" /> : null}
      {status.data && status.data.length === 0 ? <p className="muted">Nothing ingested yet.</p> : null}
      {(status.data ?? []).map((c) => (
        <Section key={c.connector} title={`Connector ${c.connector}`} actions={<Badge kind={c.problems.length || c.quarantine.length ? 'warn' : 'pass'}>{c.problems.length || c.quarantine.length ? 'needs attention' : 'healthy'}</Badge>}>
          <p>
            {count(c.totals.files)} files ({count(c.totals.filesFailed)} failed), {count(c.totals.events)} events, {count(c.totals.duplicates)} duplicates, {count(c.totals.quarantined)} quarantined
          </p>
          <div className="accounts">
            {c.accounts.map((a) => (
              <AccountHealth key={a.accountId} account={a} coverage={byAccount.get(a.accountId)} />
            ))}
          </div>
          {c.problems.length ? (
            <>
              <h3>Errors</h3>
              <ul className="problems">
                {c.problems.map((p, i) => (
                  <li key={i}>
                    <Badge kind="fail">{p.kind}</Badge> {p.message} <span className="muted">({when(p.at)})</span>
                    <p>
                      <strong>Fix: </strong>
                      {p.fix}
                    </p>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {c.quarantine.length ? (
            <>
              <h3>Quarantined messages</h3>
              <ul className="problems">
                {c.quarantine.map((q) => (
                  <li key={q.messageId}>
                    <span className="break">{q.key ?? q.messageId}</span> — {q.reason} <span className="muted">(received {q.receiveCount}×, {when(q.at)})</span>
                    <p>
                      <strong>Fix: </strong>
                      {q.fix}
                    </p>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </Section>
      ))}
      {coverage.error ? <ErrorBox error={coverage.error} what="coverage" /> : null}
    </>
  );
}

function AccountHealth({ account: a, coverage }: { account: AccountHealthDoc; coverage: AccountCoverage | undefined }) {
  const fromServer = a.eventsPerHour;
  const chart = useLoad(
    () => (fromServer ? Promise.resolve(fromServer.map((h) => ({ label: `${h.hour.slice(5, 13).replace('T', ' ')}h`, value: h.events }))) : hourly(a)),
    `${a.accountId}:${a.newestEventTime ?? ''}`,
  );
  // Delivery gaps (hours without a log file) from /api/ingestion, else CloudTrail coverage gaps.
  const gaps = a.gaps ?? coverage?.gaps;
  const errors = Object.entries(a.errorsByKind);
  return (
    <div className="account card-inner" data-account={a.accountId}>
      <h3>Account {a.accountId}</h3>
      <dl className="facts">
        <dt>Last delivery</dt>
        <dd>
          {when(a.lastFileAt)} ({ago(a.lastFileAt)})
        </dd>
        <dt>Newest event</dt>
        <dd>{when(a.newestEventTime)}</dd>
        <dt>Lag</dt>
        <dd>{duration(a.lagSeconds)}</dd>
        <dt>Files / events</dt>
        <dd>
          {count(a.files)} / {count(a.events)}
        </dd>
        {errors.length ? (
          <>
            <dt>Errors</dt>
            <dd>{errors.map(([k, n]) => `${k}: ${n}`).join(', ')}</dd>
          </>
        ) : null}
        {coverage ? (
          <>
            <dt>Coverage</dt>
            <dd>
              {coverage.coveredDays} days in the window ({coverage.activity === 'known' ? 'inactivity judged' : 'too little to judge inactivity'})
            </dd>
          </>
        ) : null}
      </dl>
      {chart.data ? <BarChart data={chart.data} label={fromServer ? `Events per hour, last ${fromServer.length} hours` : 'Events per hour (the day before the newest event)'} unit="events" /> : null}
      {gaps?.length ? (
        <>
          <h4>{a.gaps ? 'Delivery gaps' : 'Coverage gaps'}</h4>
          <ul className="plain">
            {gaps.slice(0, 20).map((g) => (
              <li key={g.start}>
                {when(g.start)} → {when(g.end)}
              </li>
            ))}
          </ul>
        </>
      ) : gaps ? (
        <p className="muted">No gaps.</p>
      ) : null}
    </div>
  );
}
