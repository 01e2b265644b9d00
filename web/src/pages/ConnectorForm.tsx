/** Add or edit a connector with the onboarding choices: account or organization, existing or new trail. */
import { useState, type FormEvent } from 'react';
import { apiSend } from '../api';
import type { Connector } from '../types';

type Fields = Record<'name' | 'type' | 'trail' | 'bucket' | 'prefix' | 'queueUrl' | 'accountId' | 'organizationId' | 'kmsKeyArn' | 'region' | 'roleArn', string>;

const EMPTY: Fields = { name: '', type: 'account', trail: 'existing', bucket: '', prefix: '', queueUrl: '', accountId: '', organizationId: '', kmsKeyArn: '', region: '', roleArn: '' };

function fieldsOf(c: Connector | undefined): Fields {
  if (!c) return EMPTY;
  const out = { ...EMPTY };
  for (const k of Object.keys(EMPTY) as (keyof Fields)[]) {
    const v = (c as unknown as Record<string, unknown>)[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

export function ConnectorForm({ existing, onDone, onCancel }: { existing?: Connector | undefined; onDone: (name: string) => void; onCancel: () => void }) {
  const [f, setF] = useState<Fields>(() => fieldsOf(existing));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof Fields) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    // Empty optional fields are left out on create; on edit an empty string clears the field.
    const body: Record<string, string> = {};
    for (const [k, v] of Object.entries(f)) {
      if (existing && k === 'name') continue;
      if (v.trim()) body[k] = v.trim();
      else if (existing && (existing as unknown as Record<string, unknown>)[k] !== undefined) body[k] = '';
    }
    if (f.type === 'account') delete body.organizationId;
    try {
      if (existing) await apiSend('PATCH', `/api/connectors/${encodeURIComponent(existing.name)}`, body);
      else await apiSend('POST', '/api/connectors', body);
      onDone(existing?.name ?? f.name.trim());
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card connector-form" onSubmit={(e) => void submit(e)} aria-label={existing ? `Edit connector ${existing.name}` : 'Add a connector'}>
      <h2>{existing ? `Edit ${existing.name}` : 'Add a connector'}</h2>
      <div className="grid">
        {!existing ? (
          <label>
            Name
            <input name="name" required pattern="[A-Za-z0-9][A-Za-z0-9_.-]{0,63}" value={f.name} onChange={set('name')} />
          </label>
        ) : null}
        <fieldset>
          <legend>Scope</legend>
          <label className="radio">
            <input type="radio" name="type" value="account" checked={f.type === 'account'} onChange={set('type')} /> Single account
          </label>
          <label className="radio">
            <input type="radio" name="type" value="organization" checked={f.type === 'organization'} onChange={set('type')} /> Organization
          </label>
        </fieldset>
        <fieldset>
          <legend>Trail</legend>
          <label className="radio">
            <input type="radio" name="trail" value="existing" checked={f.trail === 'existing'} onChange={set('trail')} /> Use an existing trail
          </label>
          <label className="radio">
            <input type="radio" name="trail" value="new" checked={f.trail === 'new'} onChange={set('trail')} /> Create a new trail (CloudFormation)
          </label>
        </fieldset>
        <label>
          S3 bucket
          <input name="bucket" required value={f.bucket} onChange={set('bucket')} placeholder="my-cloudtrail-bucket" />
        </label>
        <label>
          Key prefix (before AWSLogs/)
          <input name="prefix" value={f.prefix} onChange={set('prefix')} />
        </label>
        <label>
          SQS queue URL
          <input name="queueUrl" value={f.queueUrl} onChange={set('queueUrl')} placeholder="https://sqs.eu-west-1.amazonaws.com/111122223333/trail" />
        </label>
        <label>
          KMS key ARN
          <input name="kmsKeyArn" value={f.kmsKeyArn} onChange={set('kmsKeyArn')} placeholder="arn:aws:kms:…:key/…" />
        </label>
        <label>
          Region (queue and API calls)
          <input name="region" value={f.region} onChange={set('region')} placeholder="eu-west-1" />
        </label>
        <label>
          Account id
          <input name="accountId" value={f.accountId} onChange={set('accountId')} inputMode="numeric" pattern="\d{12}" />
        </label>
        {f.type === 'organization' ? (
          <label>
            Organization id
            <input name="organizationId" value={f.organizationId} onChange={set('organizationId')} placeholder="o-a1b2c3d4e5" />
          </label>
        ) : null}
        <label>
          Read role ARN
          <input name="roleArn" value={f.roleArn} onChange={set('roleArn')} placeholder="arn:aws:iam::…:role/trailscope-read" />
        </label>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" disabled={busy}>
          {existing ? 'Save' : 'Add connector'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
