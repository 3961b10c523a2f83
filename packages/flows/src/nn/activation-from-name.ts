import { type Module, type TensorFunction, ValueError } from '@eddy/core';
import { ELU, GELU, Identity, LeakyReLU, ReLU, SiLU, Sigmoid, Softplus, Tanh } from './activations.js';
import { TwoWayELU } from './two-way-elu.js';

/**
 * Names of the activations {@link activationFromName} knows: PyTorch's `torch.nn.<name>`
 * class names (and zuko's `TwoWayELU`), as written in zuko reference specs.
 * @category Networks
 */
export type ActivationName = 'ReLU' | 'ELU' | 'Tanh' | 'Sigmoid' | 'SiLU' | 'Softplus' | 'LeakyReLU' | 'GELU' | 'Identity' | 'TwoWayELU';

/**
 * A parameter-free layer constructor: how networks take a custom activation (zuko passes
 * a class such as `nn.ELU`; each call must return a fresh layer).
 *
 * @example
 * ```ts
 * import { type ActivationFactory, ELU, MLP } from '@eddy/flows';
 * const act: ActivationFactory = () => new ELU(0.5);
 * new MLP(3, 2, { activation: act });
 * ```
 * @category Networks
 */
export type ActivationFactory = () => Module & TensorFunction;

/**
 * How networks accept an activation: a name ({@link ActivationName}, any string is
 * checked at run time) or a factory.
 *
 * @example
 * ```ts
 * import { type ActivationSpec, Tanh } from '@eddy/flows';
 * const a: ActivationSpec = 'ReLU';
 * const b: ActivationSpec = () => new Tanh();
 * ```
 * @category Networks
 */
export type ActivationSpec = ActivationName | (string & {}) | ActivationFactory;

const FACTORIES: Record<ActivationName, ActivationFactory> = {
  ReLU: () => new ReLU(),
  ELU: () => new ELU(),
  Tanh: () => new Tanh(),
  Sigmoid: () => new Sigmoid(),
  SiLU: () => new SiLU(),
  Softplus: () => new Softplus(),
  LeakyReLU: () => new LeakyReLU(),
  GELU: () => new GELU(),
  Identity: () => new Identity(),
  TwoWayELU: () => new TwoWayELU(),
};

/**
 * A fresh activation layer from its PyTorch/zuko class name (`'ReLU'`, `'ELU'`, `'Tanh'`,
 * `'Sigmoid'`, `'SiLU'`, `'Softplus'`, `'LeakyReLU'`, `'GELU'`, `'Identity'`,
 * `'TwoWayELU'`), with PyTorch's default arguments. A module prefix (`torch.nn.`, `nn.`,
 * `zuko.nn.`) is ignored. Throws a `ValueError` naming the known names otherwise.
 *
 * @example
 * ```ts
 * import { tensor } from '@eddy/core';
 * import { activationFromName } from '@eddy/flows';
 * activationFromName('ELU').call(tensor([-1])); // [e⁻¹ − 1]
 * ```
 * @category Networks
 */
export function activationFromName(name: string): Module & TensorFunction {
  const bare = name.replace(/^(torch\.nn\.|zuko\.nn\.|nn\.)/, '');
  const factory = Object.hasOwn(FACTORIES, bare) ? FACTORIES[bare as ActivationName] : undefined;
  if (factory === undefined) {
    throw new ValueError(`activationFromName: unknown activation '${name}' (known: ${Object.keys(FACTORIES).join(', ')})`);
  }
  return factory();
}

/**
 * Turns an {@link ActivationSpec} into a factory (a name is checked at once).
 *
 * @example
 * ```ts
 * import { activationFactory } from '@eddy/flows';
 * const make = activationFactory('ReLU');
 * const a = make(), b = make(); // two layers
 * ```
 * @category Networks
 */
export function activationFactory(spec: ActivationSpec): ActivationFactory {
  if (typeof spec === 'function') return spec;
  activationFromName(spec);
  return () => activationFromName(spec);
}
