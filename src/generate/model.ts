/**
 * The generator's internal model of an organization: accounts, the resources the synthetic
 * workloads touch, and the actors whose calls end up in the trail.
 */
import type { ApiCall } from './catalog.js';
import type { Rng } from './rng.js';

export interface AccountInfo {
  index: number;
  id: string;
  name: string;
  /** Organization parents, innermost first: ["ou-...", "r-..."] or ["r-..."]. */
  parents: string[];
  isManagement: boolean;
  /** Regions with activity; the first is the home region (where global events land). */
  regions: string[];
  regionWeights: number[];
  res: AccountResources;
}

export interface AccountResources {
  buckets: string[];
  tables: string[];
  functions: { name: string; roleArn: string }[];
  secrets: string[];
  parameters: string[];
  kmsKeys: string[];
  logGroups: string[];
  instanceIds: string[];
  amis: string[];
  subnets: string[];
  securityGroups: string[];
  stacks: string[];
  trailName: string;
  /** Instance profiles that RunInstances may name. */
  instanceProfiles: string[];
  /** Roles that CloudFormation may be given (roleARN). */
  cfnRoles: string[];
}

/** How an actor's calls appear in userIdentity. */
export type ActorStyle =
  | 'user-cli' // IAMUser with a long-term AKIA key
  | 'user-console' // IAMUser signed in to the console (ASIA key, sessionContext)
  | 'root'
  | 'sso' // AssumedRole session of an AWSReservedSSO_* role, session name = e-mail
  | 'lambda' // AssumedRole session named after the function
  | 'ec2' // AssumedRole session named after the instance id
  | 'ecs' // AssumedRole session named after the task id
  | 'assumed' // AssumedRole session from sts:AssumeRole (CLI, CI, cross-account)
  | 'web-identity' // AssumedRole session from AssumeRoleWithWebIdentity (GitHub Actions)
  | 'service-linked' // AssumedRole session of a service-linked role
  | 'saml-user' // SAMLUser (AssumeRoleWithSAML callers), session names = the people
  | 'web-identity-user' // WebIdentityUser (AssumeRoleWithWebIdentity callers), session names = token subjects
  | 'aws-service'; // AWSService with invokedBy

export interface WeightedCalls {
  calls: ApiCall[];
  weights: number[];
}

export interface Actor {
  key: string;
  account: AccountInfo;
  style: ActorStyle;
  /** IAM ARN of the identity (user, role, root) or the service principal for aws-service. */
  arn: string;
  name: string;
  /** AIDA... / AROA... unique id; the account id for root. */
  uniqueId: string;
  accessKeyIds: string[];
  sessionNames: string[];
  userAgents: string[];
  ips: string[];
  activity: WeightedCalls;
  /** Relative share of background traffic. 0 = only scripted (planted) events. */
  weight: number;
  mfa: boolean;
  /** May receive AccessDenied on calls outside what it is granted (its grant is exactly its calls). */
  deniable: boolean;
  /** For 'sso': the SAML provider hash; for 'web-identity': the subject. */
  federation?: string;
  /** For aws-service actors: the service principal, e.g. lambda.amazonaws.com. */
  invokedBy?: string;
  /** Workloads run in one region; their regional calls land there. */
  homeRegion?: string;
  /** Per-event call arguments for background events (e.g. which role a service assumes). */
  argsFor?: (rng: Rng) => Record<string, string>;
}
