import '@eddy/backend-cpu';
import * as E from '@eddy/core';
import { type Tensor, tensor } from '@eddy/core';
import { describe, expect, it } from 'vitest';

class Linear extends E.Module {
  weight: E.Parameter;
  bias: E.Parameter;
  constructor(inF: number, outF: number, seed: number) {
    super();
    const rng = new E.RandomStream(seed);
    const bound = 1 / Math.sqrt(inF);
    this.weight = new E.Parameter(rng.uniform([outF, inF], -bound, bound, 'float64'));
    this.bias = new E.Parameter(rng.uniform([outF], -bound, bound, 'float64'));
  }
  call(x: Tensor): Tensor {
    return E.matmul(x, E.transpose(this.weight)).add(this.bias);
  }
}

class Net extends E.Module {
  hyper = [new Linear(2, 4, 1), new Linear(4, 1, 2)];
  mask = new E.Buffer(tensor([1, 0], { dtype: 'float64' }));
  call(x: Tensor): Tensor {
    return (this.hyper[1] as Linear).call(E.tanh((this.hyper[0] as Linear).call(x)));
  }
}

describe('Module', () => {
  it('names parameters like PyTorch and separates buffers', () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual(['hyper.0.weight', 'hyper.0.bias', 'hyper.1.weight', 'hyper.1.bias']);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['mask']);
    expect(Object.keys(net.stateDict())).toEqual(['hyper.0.weight', 'hyper.0.bias', 'hyper.1.weight', 'hyper.1.bias', 'mask']);
    expect(net.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(net.mask.requiresGrad).toBe(false);
  });

  it('stateDict round-trips into a fresh module', () => {
    const a = new Net();
    const b = new Net();
    (b.hyper[0] as Linear).weight.assign(E.zeros([4, 2], { dtype: 'float64' }));
    b.loadStateDict(a.stateDict());
    const x = tensor([[0.3, -0.2]], { dtype: 'float64' });
    expect(b.call(x).toArray()).toEqual(a.call(x).toArray());
  });

  it('stateDict is a snapshot: later updates do not change it', () => {
    const a = new Net();
    const sd = a.stateDict();
    const before = Array.from((sd['hyper.0.bias'] as Tensor).dataSync());
    (a.hyper[0] as Linear).bias.assign(E.ones([4], { dtype: 'float64' }));
    expect(Array.from((sd['hyper.0.bias'] as Tensor).dataSync())).toEqual(before);
  });

  it('loadStateDict checks shapes and keys and changes nothing on failure', () => {
    const a = new Net();
    const before = a.stateDict();
    const bad = { ...a.stateDict(), 'hyper.1.bias': E.zeros([2], { dtype: 'float64' }) };
    expect(() => a.loadStateDict(bad)).toThrow('loadStateDict: hyper.1.bias has shape [2], the module expects [1]');
    const { mask: _m, ...missing } = a.stateDict();
    expect(() => a.loadStateDict(missing)).toThrow(/missing keys \[mask\]/);
    expect(() => a.loadStateDict({ ...a.stateDict(), extra: E.zeros([1]) })).toThrow(/unexpected keys \[extra\]/);
    a.loadStateDict(missing, { strict: false });
    for (const [k, v] of Object.entries(a.stateDict())) expect(v.toArray()).toEqual((before[k] as Tensor).toArray());
  });

  it('train/eval flags propagate', () => {
    const n = new Net().eval();
    expect(n.training).toBe(false);
    expect((n.hyper[1] as Linear).training).toBe(false);
    n.train();
    expect((n.hyper[0] as Linear).training).toBe(true);
  });
});

describe('optimizers', () => {
  // y = 3·x₀ − 2·x₁ + 0.5 + small noise; a linear model must fit it.
  const n = 256;
  const x = E.randn([n, 2], { seed: 1, dtype: 'float64' });
  const noise = E.randn([n, 1], { seed: 2, dtype: 'float64' }).mul(0.01);
  const y = E.matmul(x, tensor([[3], [-2]], { dtype: 'float64' }))
    .add(0.5)
    .add(noise);
  const mse = (m: Linear) => E.mean(E.square(m.call(x).sub(y)));

  for (const [name, make] of [
    ['Adam', (p: E.Parameter[]) => new E.Adam(p, { lr: 0.05 })],
    ['Adam with decoupled weight decay', (p: E.Parameter[]) => new E.Adam(p, { lr: 0.05, weightDecay: 1e-4, decoupled: true })],
    ['SGD with momentum', (p: E.Parameter[]) => new E.SGD(p, { lr: 0.05, momentum: 0.9 })],
    ['SGD Nesterov with weight decay', (p: E.Parameter[]) => new E.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-5 })],
  ] as const) {
    it(`${name} fits a linear regression (loss < 1e-3)`, () => {
      const model = new Linear(2, 1, 3);
      const opt = make(model.parameters());
      const start = mse(model).item();
      for (let i = 0; i < 300; i++) {
        const loss = mse(model);
        opt.step(E.gradients(loss, opt.params));
      }
      const end = mse(model).item();
      expect(start).toBeGreaterThan(1);
      expect(end).toBeLessThan(1e-3);
    });
  }

  it('Adam matches a hand-computed first step', () => {
    const p = new E.Parameter(tensor([1, -1], { dtype: 'float64' }));
    const opt = new E.Adam([p], { lr: 0.1 });
    opt.step([tensor([0.5, -2], { dtype: 'float64' })]);
    // Step 1: m̂ = g, v̂ = g², update = lr · g / (|g| + eps) ≈ lr · sign(g).
    const v = p.dataSync();
    expect(v[0]).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-8)), 14);
    expect(v[1]).toBeCloseTo(-1 + 0.1 * (2 / (2 + 1e-8)), 14);
  });

  it('clipGradNorm rescales to maxNorm and reports the norm', () => {
    const g = [tensor([3, 0], { dtype: 'float64' }), tensor([4], { dtype: 'float64' })];
    const { grads, norm } = E.clipGradNorm(g, 1);
    expect(norm).toBeCloseTo(5, 14);
    const total = Math.sqrt(grads.reduce((s, t) => s + E.sum(E.square(t)).item(), 0));
    expect(total).toBeCloseTo(1, 6);
    expect(E.clipGradNorm(g, 10).grads[0]?.toArray()).toEqual([3, 0]);
  });

  it('step rejects a gradient list of the wrong length', () => {
    const p = new E.Parameter(tensor([1], { dtype: 'float64' }));
    expect(() => new E.SGD([p], { lr: 1 }).step([])).toThrow(/got 0 gradients for 1 parameters/);
  });
});

describe('Sequential', () => {
  class Act extends E.Module {
    call(x: Tensor): Tensor {
      return E.tanh(x);
    }
  }
  it('names layers by index like nn.Sequential, activations included', () => {
    const seq = new E.Sequential([new Linear(2, 3, 1), new Act(), new Linear(3, 1, 2)]);
    expect(seq.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    const x = tensor([[0.1, 0.2]], { dtype: 'float64' });
    const l0 = seq.layers[0] as Linear;
    const l2 = seq.layers[2] as Linear;
    expect(seq.call(x).toArray()).toEqual(l2.call(E.tanh(l0.call(x))).toArray());
  });
  it('nests: a Sequential inside a module gets its field name as prefix', () => {
    class Holder extends E.Module {
      hyper = new E.Sequential([new Linear(2, 2, 3), new Act(), new E.Sequential([new Linear(2, 2, 4), new Act(), new Linear(2, 2, 5)])]);
    }
    expect(new Holder().namedParameters().map(([n]) => n)).toEqual([
      'hyper.0.weight',
      'hyper.0.bias',
      'hyper.2.0.weight',
      'hyper.2.0.bias',
      'hyper.2.2.weight',
      'hyper.2.2.bias',
    ]);
  });
});

describe('Module.toString', () => {
  it('prints the tree with names like PyTorch', () => {
    class Act extends E.Module {
      call(x: Tensor): Tensor {
        return x;
      }
    }
    class L extends E.Module {
      override extraRepr(): string {
        return 'in=2, out=3';
      }
    }
    class Net extends E.Module {
      hyper = new E.Sequential([new L() as L & E.TensorFunction, new Act()]);
      parts = [new Act()];
    }
    expect(new Net().toString()).toBe('Net(\n  (hyper): Sequential(\n    (0): L(in=2, out=3)\n    (1): Act()\n  )\n  (parts.0): Act()\n)');
  });
});
