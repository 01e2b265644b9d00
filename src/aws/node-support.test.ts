import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeSupportWarning } from './node-support.js';

const here = dirname(fileURLToPath(import.meta.url));

function stderrOf(script: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    delete env.TRAILSCOPE_NODE_SUPPORT_WARNING_SHOWN;
    execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env }, (error, _out, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stderr),
    );
  });
}

const older = Number(process.versions.node.split('.')[0]) < 22;

test("the SDK's seven-line Node warning becomes one trailscope line, once per process and its children, only when clients are made", async () => {
  const connection = pathToFileURL(join(here, 'connection.ts')).href;
  const sync = pathToFileURL(join(here, '..', 'iam', 'sync.ts')).href;
  const stderr = await stderrOf(`
    import { createClients } from ${JSON.stringify(connection)};
    import { createSyncClients } from ${JSON.stringify(sync)};
    import { execFileSync } from 'node:child_process';
    process.stderr.write('before clients\\n');
    const a = createClients({ region: 'eu-west-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } });
    a.sts; a.s3; a.sqs;
    createSyncClients({ region: 'eu-west-1' });
    createClients({ region: 'us-east-1', credentials: { accessKeyId: 'A', secretAccessKey: 'B' } }).sts;
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
      'const { createClients } = await import(' + JSON.stringify(${JSON.stringify(connection)}) + '); createClients({ region: "eu-west-1", credentials: { accessKeyId: "A", secretAccessKey: "B" } }).sts;'],
      { stdio: ['ignore', 'ignore', 'inherit'] });
  `);
  assert.doesNotMatch(stderr, /NodeVersionSupportWarning/);
  const ours = stderr.split('\n').filter((l) => l.includes('AWS SDK releases from January 2027'));
  assert.equal(ours.length, older ? 1 : 0, stderr);
  if (older) assert.ok(stderr.indexOf('before clients') < stderr.indexOf(ours[0]!), 'printed when clients are made, not on import');
});

test('without trailscope the SDK itself warns in seven lines on Node 20 (what the line above replaces)', { skip: older ? false : 'Node 22 or later: the SDK does not warn' }, async () => {
  const stderr = await stderrOf(`
    const { STSClient } = await import('@aws-sdk/client-sts');
    new STSClient({ region: 'eu-west-1' });
  `);
  assert.match(stderr, /NodeVersionSupportWarning/);
});

test('the warning names the running version, and says nothing from Node 22 on', () => {
  assert.match(nodeSupportWarning('v20.20.2') ?? '', /Node v20\.20\.2.*Node 22 or later/);
  assert.equal(nodeSupportWarning('v22.23.3'), undefined);
  assert.equal(nodeSupportWarning('v24.1.0'), undefined);
});
