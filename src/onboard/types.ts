import type { CfnTemplate } from './template-parts.js';

/** Which onboarding template: see README "Onboarding with CloudFormation". */
export type OnboardingMode = 'existing-trail' | 'new-trail' | 'organization' | 'fan-out';

export const ONBOARDING_MODES: readonly OnboardingMode[] = ['existing-trail', 'new-trail', 'organization', 'fan-out'];

/** One template parameter as the user sees it. */
export interface TemplateParameterInfo {
  description: string;
  /** The template's default (from the connector), when it has one. */
  default?: string;
  /** What the deploy command passes: a literal, or a shell variable such as `$TRAILSCOPE_PRINCIPAL_ARN`. */
  value?: string;
}

/** One CloudFormation template to deploy, and where. */
export interface TemplateDocument {
  /** Suggested file name, used in the deploy command. */
  file: string;
  /** What the stack is for, one sentence. */
  purpose: string;
  /** The account (or StackSet) it is deployed in. */
  deployTo: string;
  stackName: string;
  yaml: string;
  parameters: Record<string, TemplateParameterInfo>;
}

export interface OnboardingTemplate {
  mode: OnboardingMode;
  /** The first document's YAML: the only one for every mode but organization. */
  yaml: string;
  /** The first document's parameters. */
  parameters: Record<string, TemplateParameterInfo>;
  /** Every template of the mode, in deployment order. */
  documents: TemplateDocument[];
  /** What the user does after generating the templates, in order. */
  steps: string[];
}

/** A template before rendering, with the values its deploy command passes. */
export interface TemplateDraft {
  file: string;
  purpose: string;
  deployTo: string;
  stackName: string;
  template: CfnTemplate;
  /** Parameter overrides: literals, or shell variables (values starting with `$`). */
  overrides: Record<string, string>;
  /** Replaces the generated `aws cloudformation deploy` step (StackSets deploy differently). */
  deploySteps?: string[];
}

export interface ModeDrafts {
  documents: TemplateDraft[];
  /** Steps after the deploy commands of every document (which are generated). */
  stepsBefore: string[];
  stepsAfter: string[];
}
