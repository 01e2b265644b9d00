/**
 * Onboarding templates: CloudFormation that gives trailscope read access to a trail (an existing
 * one, a new one, an organization's, or one whose bucket already notifies someone else), and the
 * steps to deploy it. Pure: nothing here calls AWS.
 */
import type { Connector } from '../connectors/index.js';
import { toCloudFormationYaml } from './cfn-yaml.js';
import { existingTrailDrafts } from './existing-trail.js';
import { fanOutDrafts } from './fan-out.js';
import { onboardingInputs, OnboardingError } from './inputs.js';
import { newTrailDrafts } from './new-trail.js';
import { organizationDrafts } from './organization.js';
import { deployCommand, outputsCommand, SET_PRINCIPAL_STEP } from './steps.js';
import type { TemplateOptions } from './template-parts.js';
import { ONBOARDING_MODES, type ModeDrafts, type OnboardingMode, type OnboardingTemplate, type TemplateDocument, type TemplateDraft } from './types.js';

export { OnboardingError } from './inputs.js';
export { readerPolicyDocument, type PolicyDocument, type PolicyStatement } from './policies.js';
export { ONBOARDING_MODES, type OnboardingMode, type OnboardingTemplate, type TemplateDocument, type TemplateParameterInfo } from './types.js';
export type { TemplateOptions } from './template-parts.js';

const BUILDERS: Record<OnboardingMode, (inputs: ReturnType<typeof onboardingInputs>, options: TemplateOptions) => ModeDrafts> = {
  'existing-trail': existingTrailDrafts,
  'new-trail': newTrailDrafts,
  organization: organizationDrafts,
  'fan-out': fanOutDrafts,
};

function render(draft: TemplateDraft): TemplateDocument {
  const parameters: TemplateDocument['parameters'] = {};
  for (const [name, p] of Object.entries(draft.template.Parameters)) {
    const value = draft.overrides[name];
    parameters[name] = {
      description: p.Description,
      ...(p.Default !== undefined ? { default: String(p.Default) } : {}),
      ...(value !== undefined ? { value } : {}),
    };
  }
  return {
    file: draft.file,
    purpose: draft.purpose,
    deployTo: draft.deployTo,
    stackName: draft.stackName,
    yaml: toCloudFormationYaml(draft.template),
    parameters,
  };
}

/**
 * The CloudFormation template(s) for `connector` in `mode`, and the steps to deploy them. Every
 * mode returns `documents` in deployment order; `yaml` and `parameters` are the first one's.
 * Throws OnboardingError when a connector value cannot be used safely in a template.
 */
export function cloudFormationTemplate(connector: Connector, mode: OnboardingMode, options: TemplateOptions = {}): OnboardingTemplate {
  const build = BUILDERS[mode];
  if (!ONBOARDING_MODES.includes(mode) || !build) throw new OnboardingError(`unknown onboarding mode ${JSON.stringify(mode)} (one of ${ONBOARDING_MODES.join(', ')})`);
  const drafts = build(onboardingInputs(connector), options);
  const documents = drafts.documents.map(render);
  const usesPrincipalVariable = drafts.documents.some((d) => Object.values(d.overrides).includes('$TRAILSCOPE_PRINCIPAL_ARN'));
  const steps = [
    ...(usesPrincipalVariable ? [SET_PRINCIPAL_STEP] : []),
    ...drafts.stepsBefore,
    ...drafts.documents.flatMap((d) => d.deploySteps ?? [`Save ${d.file} and, with credentials for ${d.deployTo}, run: ${deployCommand(d)}`]),
    ...drafts.stepsAfter,
    `Read the stack outputs (${outputsCommand(drafts.documents[0]!.stackName)}) and set the connector's roleArn to ReaderRoleArn and externalId to ExternalId (and queueUrl, kmsKeyArn when the stack created them); then run trailscope doctor.`,
  ];
  const first = documents[0]!;
  return { mode, yaml: first.yaml, parameters: first.parameters, documents, steps };
}
