import { cloudFormationTemplate, readerPolicyDocument } from '/work/wt-cfn/src/onboard/index.ts';
const c = { name: 'prod', type: 'account', bucket: 'prod-trail', prefix: 'trails/prod', queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/q', region: 'eu-west-1', kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', externalId: 'ext-123456', trail: 'existing', enabled: true, createdAt: '', updatedAt: '' } as any;
const mode = process.argv[2] as any;
const t = cloudFormationTemplate(c, mode);
for (const d of t.documents) { console.log('#####', d.file); console.log(d.yaml); }
console.log(JSON.stringify(t.parameters, null, 1)); console.log(t.steps.join('\n\n'));
if (mode === 'existing-trail') console.log(JSON.stringify(readerPolicyDocument(c), null, 1));
