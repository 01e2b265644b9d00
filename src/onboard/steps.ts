/** The commands and instructions that come with the templates. */
import { OnboardingError, shellQuote } from './inputs.js';
import { PRINCIPAL_PATTERN, type TemplateOptions } from './template-parts.js';
import type { TemplateDraft } from './types.js';

// The template refuses other values too; checking here keeps them out of the shell command.
const PRINCIPAL = new RegExp(PRINCIPAL_PATTERN);

/** The principal's override: the given ARN, or a shell variable the first step asks to set. */
export function principalOverride(options: TemplateOptions): Record<string, string> {
  if (options.principalArn === undefined) return { TrailscopePrincipalArn: '$TRAILSCOPE_PRINCIPAL_ARN' };
  if (!PRINCIPAL.test(options.principalArn)) {
    throw new OnboardingError('the trailscope principal must be an IAM role, user or account-root ARN (not an assumed-role session ARN)');
  }
  return { TrailscopePrincipalArn: options.principalArn };
}

export const SET_PRINCIPAL_STEP =
  'Set TRAILSCOPE_PRINCIPAL_ARN to the ARN trailscope runs as: `aws sts get-caller-identity` on the trailscope host; for an assumed-role session (arn:aws:sts::<account>:assumed-role/<role>/<session>) use the role, arn:aws:iam::<account>:role/<role>.';

function overrideArgument(name: string, value: string): string {
  // Shell variables stay expandable; everything else is quoted.
  return value.startsWith('$') ? `"${name}=${value}"` : shellQuote(`${name}=${value}`);
}

/** `aws cloudformation deploy` for one template, with the overrides it needs. */
export function deployCommand(draft: TemplateDraft): string {
  const overrides = Object.entries(draft.overrides).map(([name, value]) => overrideArgument(name, value));
  return [
    'aws cloudformation deploy',
    `--template-file ${shellQuote(draft.file)}`,
    `--stack-name ${shellQuote(draft.stackName)}`,
    '--capabilities CAPABILITY_NAMED_IAM',
    ...(overrides.length ? [`--parameter-overrides ${overrides.join(' ')}`] : []),
  ].join(' ');
}

/** `aws cloudformation describe-stacks` printing a stack's outputs. */
export function outputsCommand(stackName: string): string {
  return `aws cloudformation describe-stacks --stack-name ${shellQuote(stackName)} --query 'Stacks[0].Outputs' --output table`;
}

function stackSetParameter(name: string, value: string): string {
  const pair = `ParameterKey=${name},ParameterValue=${value}`;
  return value.startsWith('$') ? `"${pair}"` : shellQuote(pair);
}

/**
 * A service-managed StackSet: created once in the management account, deployed by
 * Organizations into every account of the given OUs, now and as accounts join.
 */
export function stackSetCommands(draft: TemplateDraft, region: string): string[] {
  const parameters = Object.entries(draft.overrides).map(([name, value]) => stackSetParameter(name, value));
  const regionArgument = region.startsWith('$') ? `"${region}"` : shellQuote(region);
  return [
    [
      'aws cloudformation create-stack-set',
      `--stack-set-name ${shellQuote(draft.stackName)}`,
      `--template-body ${shellQuote(`file://${draft.file}`)}`,
      '--permission-model SERVICE_MANAGED',
      '--auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false',
      '--capabilities CAPABILITY_NAMED_IAM',
      ...(parameters.length ? [`--parameters ${parameters.join(' ')}`] : []),
    ].join(' '),
    [
      'aws cloudformation create-stack-instances',
      `--stack-set-name ${shellQuote(draft.stackName)}`,
      '--deployment-targets "OrganizationalUnitIds=$TRAILSCOPE_ROOT_OU_ID"',
      // IAM is global: one region is enough.
      `--regions ${regionArgument}`,
    ].join(' '),
  ];
}
