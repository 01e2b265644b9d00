/** Connectors: list, add/edit, enable/disable, CloudFormation download, the doctor's checks and fixes. */
import { useState } from 'react';
import { apiAll, apiGet, apiSend, apiText } from '../api';
import { useLoad, href } from '../hooks';
import type { Connector, DoctorRun } from '../types';
import { Badge, CopyButton, ErrorBox, Loading, Section } from '../components/ui';
import { ConnectorForm } from './ConnectorForm';
import { count, download, when } from '../format';

export function ConnectorsPage({ selected }: { selected?: string | undefined }) {
  const list = useLoad(() => apiAll<Connector>('/api/connectors'), 'connectors');
  const [editing, setEditing] = useState<Connector | 'new' | undefined>();
  const [message, setMessage] = useState<string>();
  const act = async (what: string, run: () => Promise<unknown>) => {
    setMessage(undefined);
    try {
      await run();
      setMessage(`${what}: done`);
    } catch (e) {
      setMessage(`${what}: ${(e as Error).message}`);
    }
    list.reload();
  };
  return (
    <>
      <h1>Connectors</h1>
      <div className="actions">
        <button type="button" onClick={() => setEditing('new')}>
          Add a connector
        </button>
      </div>
      {message ? (
        <p className="notice" role="status">
          {message}
        </p>
      ) : null}
      {editing ? (
        <ConnectorForm
          existing={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(undefined)}
          onDone={(name) => {
            setEditing(undefined);
            setMessage(`Connector ${name} saved`);
            list.reload();
          }}
        />
      ) : null}
      {list.error ? <ErrorBox error={list.error} what="connectors" /> : null}
      {list.loading && !list.data ? <Loading what="connectors" /> : null}
      {list.data && list.data.length === 0 ? <p className="muted">No connector yet: add one, or run `trailscope onboard`.</p> : null}
      {(list.data ?? []).map((c) => (
        <Section
          key={c.name}
          title={c.name}
          actions={
            <>
              <Badge kind={c.status}>{c.status}</Badge>
              <button type="button" onClick={() => setEditing(c)}>
                Edit
              </button>
              <button type="button" onClick={() => void act(`${c.status === 'enabled' ? 'Disable' : 'Enable'} ${c.name}`, () => apiSend('POST', `/api/connectors/${encodeURIComponent(c.name)}/${c.status === 'enabled' ? 'disable' : 'enable'}`))}>
                {c.status === 'enabled' ? 'Disable ingestion' : 'Enable ingestion'}
              </button>
              <button type="button" onClick={() => void act(`CloudFormation for ${c.name}`, () => downloadTemplate(c.name))}>
                Download CloudFormation
              </button>
              <button type="button" onClick={() => void act(`IAM sync of ${c.name}`, () => apiSend('POST', `/api/connectors/${encodeURIComponent(c.name)}/iam-sync`))}>
                Sync IAM now
              </button>
              <button
                type="button"
                onClick={() => {
                  if (window.confirm(`Remove ${c.name} and the events only it delivered?`)) void act(`Remove ${c.name}`, () => apiSend('DELETE', `/api/connectors/${encodeURIComponent(c.name)}`));
                }}
              >
                Remove
              </button>
            </>
          }
        >
          <dl className="facts">
            <dt>Scope</dt>
            <dd>{c.type === 'organization' ? `organization ${c.organizationId ?? ''}` : `account ${c.accountId ?? ''}`}</dd>
            <dt>Trail</dt>
            <dd>{c.trail === 'new' ? 'created by trailscope’s template' : 'existing'}</dd>
            <dt>Bucket</dt>
            <dd className="break">{c.prefix ? `${c.bucket}/${c.prefix}` : c.bucket}</dd>
            <dt>Queue</dt>
            <dd className="break">{c.queueUrl ?? '— (backfill only)'}</dd>
            {c.kmsKeyArn ? (
              <>
                <dt>KMS key</dt>
                <dd className="break">{c.kmsKeyArn}</dd>
              </>
            ) : null}
            <dt>Region</dt>
            <dd>{c.region ?? '—'}</dd>
            <dt>ExternalId</dt>
            <dd className="break">
              {c.externalId} <CopyButton text={c.externalId} />
            </dd>
            <dt>Ingested</dt>
            <dd>
              {count(c.ingestion.files)} files, {count(c.ingestion.events)} events; last file {when(c.ingestion.lastFileAt)} (<a href={href('ingestion')}>health</a>)
            </dd>
          </dl>
          <Doctor name={c.name} open={selected === c.name} />
        </Section>
      ))}
    </>
  );
}

async function downloadTemplate(name: string): Promise<void> {
  const text = await apiText(`/api/connectors/${encodeURIComponent(name)}/cloudformation?format=json`);
  // The route may answer the template YAML itself or the onboarding document (JSON with yaml).
  try {
    const doc = JSON.parse(text) as { yaml?: string; documents?: { file: string; yaml: string }[] };
    if (doc.documents?.length) {
      for (const d of doc.documents) download(d.file, 'application/yaml', d.yaml);
      return;
    }
    if (doc.yaml) {
      download(`trailscope-${name}.yaml`, 'application/yaml', doc.yaml);
      return;
    }
  } catch {
    // YAML text
  }
  download(`trailscope-${name}.yaml`, 'application/yaml', text);
}

function Doctor({ name, open }: { name: string; open: boolean }) {
  const last = useLoad(() => apiGet<{ doctor?: DoctorRun | null }>(`/api/connectors/${encodeURIComponent(name)}`).then((c) => c.doctor ?? null), `doctor:${name}`);
  const [running, setRunning] = useState(false);
  const [run, setRun] = useState<DoctorRun | null>();
  const [error, setError] = useState<string>();
  const shown = run ?? last.data ?? null;
  const start = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setRun(await apiSend<DoctorRun>('POST', `/api/connectors/${encodeURIComponent(name)}/doctor`));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setRunning(false);
    }
  };
  return (
    <details className="doctor" open={open || Boolean(run)}>
      <summary>Doctor {shown ? `(last run ${when(shown.finishedAt)})` : '(never run)'}</summary>
      <button type="button" onClick={() => void start()} disabled={running}>
        {running ? 'Running the doctor…' : 'Run the doctor now'}
      </button>
      {error ? <p className="error">{error}</p> : null}
      {shown ? (
        <ul className="checks">
          {shown.results.map((r) => (
            <li key={r.id} className={`check check-${r.status}`}>
              <Badge kind={r.status}>{r.status}</Badge> <strong>{r.title}</strong> <span className="muted">({r.id})</span>
              <p>{r.found}</p>
              {r.status === 'fail' || r.status === 'warn' ? <p className="muted">{r.why}</p> : null}
              {r.fix ? (
                <div className="fix">
                  <span>Fix:</span>
                  <pre tabIndex={0}>{r.fix}</pre>
                  <CopyButton text={r.fix} label="Copy fix" />
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </details>
  );
}
