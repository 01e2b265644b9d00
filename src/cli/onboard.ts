/** `trailscope onboard cloudformation`: the CloudFormation that gives trailscope read access to a connector's trail. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { addDbOption, CliError, printJson, withStore } from './common.js';
import { READ_ONLY } from './analysis-options.js';
import { terminalLine } from '../model/index.js';
import { ConnectorError, getConnector, type Connector } from '../connectors/index.js';
import { defaultMode } from '../app/index.js';
import { cloudFormationTemplate, ONBOARDING_MODES, OnboardingError, type OnboardingMode } from '../onboard/index.js';

interface OnboardOptions {
  db?: string;
  connector: string;
  mode?: OnboardingMode;
  out?: string;
  principalArn?: string;
  json?: boolean;
}

export { defaultMode };

export function registerOnboard(program: Command): void {
  const onboard = program.command('onboard').description('Onboarding: the CloudFormation that grants trailscope read access');
  addDbOption(
    onboard
      .command('cloudformation')
      .description('Write the CloudFormation template(s) for a connector, and print the steps to deploy them')
      .requiredOption('--connector <name>', 'the connector (trailscope connector add)')
      .addOption(new Option('--mode <mode>', 'existing-trail, new-trail, organization or fan-out (default: from the connector)').choices([...ONBOARDING_MODES]))
      .option('--out <file>', 'write the template here (other templates of the mode go beside it); default: stdout')
      .option('--principal-arn <arn>', 'the IAM user or role trailscope runs as (trusted by the read role); default: a parameter to fill in')
      .option('--json', 'print the documents, parameters and steps as JSON'),
  )
    .addHelpText('after', '\nExamples:\n  trailscope onboard cloudformation --connector prod --out trailscope-prod.yaml\n  trailscope onboard cloudformation --connector org --mode organization --out cfn/org.yaml')
    .action(async (opts: OnboardOptions) => {
      await withStore(opts, async (store) => {
        let c: Connector;
        try {
          c = await getConnector(store, opts.connector);
        } catch (err) {
          if (err instanceof ConnectorError) throw new CliError(err.message);
          throw err;
        }
        const mode = opts.mode ?? defaultMode(c);
        let t;
        try {
          t = cloudFormationTemplate(c, mode, opts.principalArn ? { principalArn: opts.principalArn } : {});
        } catch (err) {
          if (err instanceof OnboardingError) throw new CliError(err.message);
          throw err;
        }
        if (!opts.out && t.documents.length > 1 && !opts.json) {
          throw new CliError(`mode ${mode} writes ${t.documents.length} templates: give --out FILE (the others are written beside it)`);
        }
        const written: string[] = [];
        if (opts.out) {
          mkdirSync(dirname(opts.out), { recursive: true });
          t.documents.forEach((d, i) => {
            const path = i === 0 ? opts.out! : join(dirname(opts.out!), d.file);
            writeFileSync(path, d.yaml);
            written.push(path);
          });
        }
        if (opts.json) {
          printJson({ connector: c.name, mode, externalId: c.externalId, documents: t.documents.map((d, i) => ({ ...d, ...(written[i] ? { writtenTo: written[i] } : {}) })), steps: t.steps });
          return;
        }
        if (!opts.out) process.stdout.write(t.yaml);
        for (const [i, d] of t.documents.entries()) {
          process.stderr.write(terminalLine(`${written[i] ? `wrote ${written[i]}: ` : ''}${d.purpose} (deploy in ${d.deployTo}, stack ${d.stackName})`));
        }
        process.stderr.write('\nnext steps:\n');
        t.steps.forEach((s, i) => process.stderr.write(terminalLine(`  ${i + 1}. ${s}`)));
      }, READ_ONLY);
    });
}
