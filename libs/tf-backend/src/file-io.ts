import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

type Artifacts = tf.io.ModelArtifacts;

/** An IOHandler with both halves present. */
export interface FileIOHandler extends tf.io.IOHandler {
  save(artifacts: Artifacts): Promise<tf.io.SaveResult>;
  load(): Promise<Artifacts>;
}

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/**
 * A tf.io handler over node:fs writing the usual tfjs layout (`model.json` + `weights.bin`),
 * for backends without tfjs-node's `file://` scheme.
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
      };
      writeFileSync(join(dir, WEIGHTS_FILE), Buffer.from(weights));
      writeFileSync(join(dir, MODEL_FILE), JSON.stringify(json, null, 1));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<Artifacts> {
      const modelPath = join(dir, MODEL_FILE);
      if (!existsSync(modelPath)) throw new Error(`no saved model at ${dir} (missing ${MODEL_FILE})`);
      const json = JSON.parse(readFileSync(modelPath, 'utf8')) as Artifacts & { weightsManifest?: tf.io.WeightsManifestConfig };
      const { weightsManifest, ...rest } = json;
      const specs = (weightsManifest ?? []).flatMap((group) => group.weights);
      const buf = readFileSync(join(dir, WEIGHTS_FILE));
      const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      return { ...rest, weightSpecs: specs, weightData };
    },
  };
}
