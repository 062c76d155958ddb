import { describe, expect, it } from 'vitest';
import { parseExperimentSpec } from '@dcl-enas/contracts';
import { datasetsOf, spaceByName } from './spaces';
import { checkEcgSettings, validateSpecNames } from './validate-spec';

const spec = (extra: string) => parseExperimentSpec(`{"apiVersion":"enas/v1","kind":"Experiment","space":"ecg","dataset":"mitdb","strategy":"dcl-enas","queries":15${extra}}`);

describe('spec names and ECG settings', () => {
  it('knows space ecg (the cell space, no TensorFlow) with dataset mitdb', () => {
    expect(spaceByName('ecg').name).toBe('ecg');
    expect(datasetsOf('ecg')).toEqual(['mitdb']);
    expect(() => validateSpecNames(spec(''))).not.toThrow();
    expect(() => validateSpecNames(spec(',"ecg":{"records":[201,207,208,223,232],"holdout":{"count":1},"train":{"epochs":1}}'))).not.toThrow();
    expect(() => validateSpecNames({ ...spec(''), dataset: 'cifar10' })).toThrow(/dataset: unknown dataset "cifar10" for space ecg: use one of mitdb/);
  });

  it('refuses ECG settings on another space, and records that cannot be split', () => {
    expect(() => validateSpecNames({ ...spec(',"ecg":{}'), space: 'nb201', dataset: 'cifar10' })).toThrow(/^ecg: these settings are for space ecg only/);
    expect(() => checkEcgSettings({ records: [201, 104, 232] }, 'ecg.')).toThrow(/^ecg\.records: 104 are not non-paced MIT-BIH records/);
    expect(() => checkEcgSettings({ records: [201, 207, 232], holdout: { count: 2 } })).toThrow(/^records: 2 DS1 record\(s\) leave none to train on after a hold-out of 2/);
    expect(() => checkEcgSettings({ records: [201, 207, 208], holdout: { count: 1 } })).toThrow(/no DS2 record to test on/);
    expect(() => checkEcgSettings({ records: [201, 207, 232], holdout: { count: 1 } })).not.toThrow();
    expect(() => spec(',"ecg":{"train":{"epochs":0}}')).toThrow(/ecg\.train\.epochs/);
    expect(() => spec(',"ecg":{"records":[201,201,232]}')).toThrow(/ecg\.records: list each record once/);
  });
});
