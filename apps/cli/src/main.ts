import { Rng } from '@dcl-enas/common';
console.log(Rng.seeded(1).int(0, 9));
