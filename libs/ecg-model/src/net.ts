import type { tf } from '@dcl-enas/tf-backend';
import type { Pass } from './layers';
import type { Weights } from './weights';

/** What every network sees: beat windows [B, windowLength, 1] and RR features [B, rrFeatures]. */
export interface NetInput {
  readonly windowLength: number;
  readonly rrFeatures: number;
  readonly classes: number;
}

/** A built network: its weights and a forward pass to class logits [B, classes]. */
export interface EcgNet {
  readonly weights: Weights;
  forward(x: tf.Tensor3D, rr: tf.Tensor2D, pass: Pass): tf.Tensor2D;
}
