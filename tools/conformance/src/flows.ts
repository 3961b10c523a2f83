import type { Tensor } from '@eddy/core';
import * as F from '@eddy/flows';
import type { Case, CaseTensor } from './case.js';
import { caseFloatDType, toTensor } from './case.js';
import { UnsupportedSpecError } from './build.js';

type FlowClass = new (options: never) => F.LazyDistribution;

/** zuko flow / mixture classes → Eddy classes (constructor options are camelCase kwargs). */
const FLOWS: Record<string, FlowClass> = {
  'zuko.flows.MAF': F.MAF,
  'zuko.flows.NSF': F.NSF,
  'zuko.flows.NCSF': F.NCSF,
  'zuko.flows.NICE': F.NICE,
  'zuko.flows.RealNVP': F.RealNVP,
  'zuko.flows.NAF': F.NAF,
  'zuko.flows.UNAF': F.UNAF,
  'zuko.flows.SOSPF': F.SOSPF,
  'zuko.flows.BPF': F.BPF,
  'zuko.flows.GF': F.GF,
  'zuko.flows.CNF': F.CNF,
  'zuko.mixtures.GMM': F.GMM,
};

/** The zuko flow and mixture classes the runner builds (class path → Eddy class). */
export const FLOW_CLASSES: Readonly<Record<string, FlowClass>> = FLOWS;

/**
 * The exported Eddy lazy distributions that {@link buildFlow} does not build, each with
 * the reason; every other exported one must be in {@link FLOW_CLASSES} (a test checks).
 */
export const FLOWS_NOT_BUILT: Readonly<Record<string, string>> = {
  LazyDistribution: 'abstract base class',
  Flow: 'takes lazy transform modules and a lazy base, which a JSON spec cannot carry; every flow case builds one',
  UnconditionalDistribution: 'takes a distribution constructor (a callable); the flows build it as their base',
  Standardized: 'Eddy-only (no zuko class): a flow with a fixed affine standardisation of the features',
};

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** zuko keyword arguments → Eddy options: camelCase keys, class names resolved. */
export function flowOptions(kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (k === 'univariate') {
      const u = F.ZUKO_UNIVARIATES[v as string];
      if (u === undefined) throw new UnsupportedSpecError(`no Eddy univariate for ${String(v)}`);
      out.univariate = u;
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[camel(k)] = flowOptions(v as Record<string, unknown>);
    } else out[camel(k)] = v;
  }
  return out;
}

/**
 * Builds a flow or mixture case the way a user imports zuko weights: the matching Eddy
 * class with the same arguments (in the run's float dtype), then {@link F.loadZukoStateDict} with the
 * case's complete state dict.
 */
export function buildFlow(c: Case): F.LazyDistribution {
  const spec = c.spec as { class: string; kwargs?: Record<string, unknown> };
  const Cls = FLOWS[spec.class];
  if (Cls === undefined) throw new UnsupportedSpecError(`no Eddy class for ${spec.class}`);
  const flow = new Cls({ ...flowOptions(spec.kwargs ?? {}), dtype: caseFloatDType() } as never);
  const dict: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(c.params ?? {})) dict[k] = toTensor(v as CaseTensor);
  F.loadZukoStateDict(flow, dict);
  return flow;
}
