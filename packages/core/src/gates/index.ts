/**
 * The gates: the gate spec (`.modelgate.yml`), its JSON Schema, and the rule decisions that
 * make a verdict.
 */
export { type ChangeEvidence, type Decision, decide, type SliceKey } from './decide.ts';
export {
  BUILT_IN_METRICS,
  gateSectionsSchema,
  gateSpecJsonSchema,
  gatesSchema,
  renderGateSpecJsonSchema,
} from './schema.ts';
export {
  type ChangeRuleKind,
  checkGatesFitTask,
  type GateRule,
  type GateSpec,
  loadGateSpec,
  type MetricGate,
  parseGateSpec,
  readGateSpec,
} from './spec.ts';
