// The main job until the flow packages land: fit a tiny MLP to a noisy sine wave with
// Eddy's tensor engine (autodiff + Adam), in float64 on the CPU backend, then print the
// fit. Run it with `npm start`.
import '@eddy/backend-cpu';
import { Adam, Module, Parameter, RandomStream, gradients, matmul, mean, noGrad, randn, sin, square, tanh, tensor, transpose } from '@eddy/core';

class Linear extends Module {
  constructor(inF, outF, rng) {
    super();
    const bound = 1 / Math.sqrt(inF);
    this.weight = new Parameter(rng.uniform([outF, inF], -bound, bound, 'float64'));
    this.bias = new Parameter(rng.uniform([outF], -bound, bound, 'float64'));
  }
  call(x) {
    return matmul(x, transpose(this.weight)).add(this.bias);
  }
}

class MLP extends Module {
  constructor(rng) {
    super();
    this.layers = [new Linear(1, 32, rng), new Linear(32, 32, rng), new Linear(32, 1, rng)];
  }
  call(x) {
    let h = x;
    this.layers.forEach((l, i) => {
      h = l.call(h);
      if (i < this.layers.length - 1) h = tanh(h);
    });
    return h;
  }
}

const n = 512;
const x = randn([n, 1], { seed: 1, dtype: 'float64' }).mul(1.5);
const y = sin(x.mul(2)).add(randn([n, 1], { seed: 2, dtype: 'float64' }).mul(0.05));
const model = new MLP(new RandomStream(42));
const opt = new Adam(model.parameters(), { lr: 1e-2 });
const steps = Number(process.env.EDDY_STEPS ?? 1500);
const t0 = performance.now();
for (let step = 0; step <= steps; step++) {
  const loss = mean(square(model.call(x).sub(y)));
  if (step % 250 === 0) console.log(`step ${String(step).padStart(5)}  mse ${loss.item().toExponential(3)}`);
  if (step < steps) opt.step(gradients(loss, opt.params));
}
const secs = (performance.now() - t0) / 1000;
console.log(`trained ${model.parameters().reduce((s, p) => s + p.size, 0)} parameters in ${secs.toFixed(1)} s`);
const grid = tensor([-2, -1, 0, 1, 2], { dtype: 'float64', shape: [5, 1] });
const pred = noGrad(() => model.call(grid)).dataSync();
for (let i = 0; i < 5; i++) {
  const g = grid.dataSync()[i];
  console.log(`x = ${g.toFixed(1).padStart(4)}  model ${pred[i].toFixed(3).padStart(6)}  sin(2x) ${Math.sin(2 * g).toFixed(3).padStart(6)}`);
}
