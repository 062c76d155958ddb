import * as tf from '@tensorflow/tfjs-core';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@dcl-enas/common';

type Artifacts = tf.io.ModelArtifacts;

/** An IOHandler with both halves present. */
export interface FileIOHandler extends tf.io.IOHandler {
  save(artifacts: Artifacts): Promise<tf.io.SaveResult>;
  load(): Promise<Artifacts>;
}

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';
const WEIGHTS_SHA256 = 'weightsSha256';
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * A tf.io handler over node:fs writing the usual tfjs layout (`model.json` + `weights.bin`),
 * for backends without tfjs-node's `file://` scheme. Each file is written atomically, weights
 * first; `model.json` records the weights' SHA-256, so a crash between the two files (new
 * weights, old model.json) is detected on load instead of giving a silently wrong model.
 */
export function fileSystemHandler(dir: string): FileIOHandler {
  return {
    async save(artifacts: Artifacts): Promise<tf.io.SaveResult> {
      mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const { weightData: _data, getWeightStream: _stream, ...rest } = artifacts;
      const json = {
        ...rest,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
        [WEIGHTS_SHA256]: sha256(new Uint8Array(weights)),
      };
      writeFileAtomicSync(join(dir, WEIGHTS_FILE), new Uint8Array(weights));
      writeFileAtomicSync(join(dir, MODEL_FILE), JSON.stringify(json, null, 1));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<Artifacts> {
      const modelPath = join(dir, MODEL_FILE);
      if (!existsSync(modelPath)) throw new Error(`no saved model at ${dir} (missing ${MODEL_FILE})`);
      let json: Artifacts & { weightsManifest?: tf.io.WeightsManifestConfig; [WEIGHTS_SHA256]?: string };
      try {
        json = JSON.parse(readFileSync(modelPath, 'utf8'));
      } catch (e) {
        throw new Error(`damaged model at ${dir} (${MODEL_FILE} is not JSON: ${(e as Error).message})`);
      }
      const { weightsManifest, [WEIGHTS_SHA256]: expected, ...rest } = json;
      const specs = (weightsManifest ?? []).flatMap((group) => group.weights);
      const buf = readFileSync(join(dir, WEIGHTS_FILE));
      if (expected !== undefined && sha256(buf) !== expected) throw new Error(`damaged model at ${dir} (${WEIGHTS_FILE} does not match ${MODEL_FILE}): save it again`);
      const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      return { ...rest, weightSpecs: specs, weightData };
    },
  };
}
