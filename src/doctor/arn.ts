/** Small ARN and URL readers the checks share. */

/** The region of a regional ARN (arn:aws:sqs:eu-west-1:…), else undefined. */
export function regionOfArn(arn: string | undefined): string | undefined {
  const m = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):/.exec(arn ?? '');
  return m?.[1];
}

/** The 12-digit account of an ARN, else undefined. */
export function accountOfArn(arn: string | undefined): string | undefined {
  return /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn ?? '')?.[1];
}

/** The partition of an ARN (aws, aws-cn, aws-us-gov), default aws. */
export function partitionOfArn(arn: string | undefined): string {
  return /^arn:(aws[a-z-]*):/.exec(arn ?? '')?.[1] ?? 'aws';
}

/** https://sqs.<region>.amazonaws.com/… or the legacy https://<region>.queue.amazonaws.com/… */
export function queueRegionFromUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  return /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(host)?.[1] ?? /^([a-z]{2}(?:-[a-z]+)+-\d+)\.queue\./.exec(host)?.[1];
}

/** IAM-style wildcard match (* and ?), case-sensitive as ARNs are. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, caseInsensitive ? 'i' : '');
  return re.test(value);
}

/** A value for a suggested shell command: as is when plainly safe, else single-quoted. */
export function shellArg(value: string): string {
  return /^[A-Za-z0-9._/:=@+,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
