import protobuf from 'protobufjs';

/** nasbench/lib/model_metrics.proto, as given in the data README. */
const SCHEMA = `
syntax = "proto2";
package nasbench;
message ModelMetrics {
  repeated EvaluationData evaluation_data = 1;
  optional int32 trainable_parameters = 2;
  optional double total_time = 3;
}
message EvaluationData {
  optional double current_epoch = 1;
  optional double training_time = 2;
  optional double train_accuracy = 3;
  optional double validation_accuracy = 4;
  optional double test_accuracy = 5;
  optional string checkpoint_path = 6;
}
`;

export interface EvaluationData {
  current_epoch?: number;
  training_time?: number;
  train_accuracy?: number;
  validation_accuracy?: number;
  test_accuracy?: number;
  checkpoint_path?: string;
}

export interface ModelMetrics {
  evaluation_data: EvaluationData[];
  trainable_parameters?: number;
  total_time?: number;
}

export const ModelMetricsType = protobuf.parse(SCHEMA, { keepCase: true }).root.lookupType('nasbench.ModelMetrics');

/** Decodes a serialized ModelMetrics; fields absent on the wire stay absent (proto2 presence). */
export function decodeModelMetrics(bytes: Uint8Array): ModelMetrics {
  const message = ModelMetricsType.decode(bytes) as unknown as ModelMetrics;
  const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  const pick = <T extends object>(o: T, keys: (keyof T)[]): T => {
    const out = {} as T;
    for (const k of keys) if (own(o, k as string)) out[k] = o[k];
    return out;
  };
  return {
    ...pick(message, ['trainable_parameters', 'total_time']),
    evaluation_data: (message.evaluation_data ?? []).map((e) =>
      pick(e, ['current_epoch', 'training_time', 'train_accuracy', 'validation_accuracy', 'test_accuracy', 'checkpoint_path']),
    ),
  };
}

export function encodeModelMetrics(metrics: ModelMetrics): Uint8Array {
  return ModelMetricsType.encode(ModelMetricsType.fromObject(metrics)).finish();
}
