/**
 * The AWS SDK warns, over seven lines and once per process, that its releases
 * from January 2027 need Node 22. trailscope says it once, in one line, and only
 * when a command creates AWS clients; child processes inherit the marker and
 * stay quiet.
 */
const SHOWN = 'TRAILSCOPE_NODE_SUPPORT_WARNING_SHOWN';
export const MIN_NODE_FOR_AWS_SDK = 22;

export function nodeSupportWarning(version: string): string | undefined {
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (!Number.isFinite(major) || major >= MIN_NODE_FOR_AWS_SDK) return undefined;
  return `trailscope: running on Node ${version}; AWS SDK releases from January 2027 need Node ${MIN_NODE_FOR_AWS_SDK} or later. trailscope works on both; upgrade Node to keep receiving SDK fixes.\n`;
}

/** Call before constructing any AWS SDK client. */
export function prepareAwsSdk(env: NodeJS.ProcessEnv = process.env, write: (line: string) => void = (l) => process.stderr.write(l), version = process.version): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (env[SHOWN] === '1') return;
  env[SHOWN] = '1';
  const line = nodeSupportWarning(version);
  if (line) write(line);
}
