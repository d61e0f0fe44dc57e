// A writer that registers versions in a loop until it is killed: the random-kill test runs it as
// a child process and SIGKILLs it at a random moment, most likely in the middle of a register.
// Usage: node --import tsx test/registry-writer.ts ROOT MODEL EVALUATION VERDICT
import { createFsRegistry, readEvaluationRecord, readVerdictRecord } from '@modelgate/core';

const [root, modelPath, evaluationPath, verdictPath] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const registry = createFsRegistry(root);
const evaluation = await readEvaluationRecord(evaluationPath, 'writer');
const verdict = await readVerdictRecord(verdictPath);
process.stdout.write('ready\n');
for (;;) {
  const version = await registry.register({
    name: 'cancer',
    modelPath,
    evaluation,
    verdict,
    lineage: {},
    alias: 'production',
    requirePassed: true,
  });
  process.stdout.write(`registered ${version.version}\n`);
}
