// The C++ copies of TS constants agree with src: Adam's betas and eps and the prototypes' eps
// (native/core/numerics.h) and the job limits (native/core/bounds.h), as the addon reports them in
// info().constants.
import t from 'tap';
import { ADAM, LIMITS, PROTOTYPE_EPS } from '../src/config.js';
import { loadNative } from '../src/backend/native.js';

const { binding } = loadNative();

t.test(
  'C++ constants equal their TS sources',
  { skip: binding ? false : 'no native addon' },
  (t) => {
    const constants = binding!.info().constants;
    t.ok(constants, 'info() reports constants');
    t.same(constants!.adam, { beta1: ADAM.beta1, beta2: ADAM.beta2, eps: ADAM.eps }, 'Adam (ADAM)');
    t.same(
      constants!.limits,
      {
        maxN: LIMITS.maxN,
        maxHidden: LIMITS.maxHidden,
        maxDim: LIMITS.maxDim,
        maxEpochs: LIMITS.maxEpochs,
      },
      'limits (LIMITS)',
    );
    t.equal(constants!.prototypeEps, PROTOTYPE_EPS, "the prototypes' eps (PROTOTYPE_EPS)");
    t.end();
  },
);
