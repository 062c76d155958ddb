import { describe, expect, it } from 'vitest';
import { parseExperimentSpec } from '@dcl-enas/contracts';
import { problemFor } from './problems';
import { checkEcgSettings, validateSpecNames } from './validate-spec';

const spec = (extra: string) => parseExperimentSpec(`{"apiVersion":"enas/v1","kind":"Experiment","space":"ecg","dataset":"mitdb","strategy":"dcl-enas","queries":15${extra}}`);

describe('spec names and ECG settings', () => {
  it('knows space ecg (the cell space, no TensorFlow) with dataset mitdb', () => {
    expect(problemFor('ecg').space.name).toBe('ecg');
    expect(problemFor('ecg').datasets).toEqual(['mitdb']);
    expect(() => validateSpecNames(spec(''))).not.toThrow();
    expect(() => validateSpecNames(spec(',"ecg":{"records":[201,207,208,223,232],"holdout":{"count":1},"train":{"epochs":1}}'))).not.toThrow();
    expect(() => validateSpecNames({ ...spec(''), dataset: 'cifar10' })).toThrow(/dataset: unknown dataset "cifar10" for space ecg: use one of mitdb/);
  });

  it('refuses a budget the space cannot supply, at submission', () => {
    const nb201 = { ...spec(''), space: 'nb201', dataset: 'cifar10', strategy: 'rea' };
    expect(() => validateSpecNames({ ...nb201, queries: 4930 })).not.toThrow();
    expect(() => validateSpecNames({ ...nb201, queries: 4931 })).toThrow(/^queries: 4931 is more than the 4930 distinct architectures of nb201: use at most 4930$/);
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

  it('takes cross-validation folds (1..8) and square-root class quotas, and refuses bad values at submission', () => {
    expect(() => validateSpecNames(spec(',"ecg":{"folds":4,"train":{"epochs":8,"balance":"sqrt"}}'))).not.toThrow();
    expect(() => validateSpecNames(spec(',"ecg":{"folds":1,"train":{"balance":"equal"}}'))).not.toThrow();
    expect(() => validateSpecNames(spec(',"ecg":{"folds":8}'))).not.toThrow();
    expect(() => spec(',"ecg":{"folds":9}')).toThrow(/ecg\.folds: .*<=8/);
    expect(() => spec(',"ecg":{"folds":0}')).toThrow(/ecg\.folds: .*>=1/);
    expect(() => spec(',"ecg":{"folds":1.5}')).toThrow(/ecg\.folds: .*expected int/);
    expect(() => spec(',"ecg":{"train":{"balance":"cube"}}')).toThrow(/ecg\.train\.balance: .*"equal"\|"sqrt"/);
    expect(() => spec(',"ecg":{"balance":"sqrt"}')).toThrow(/ecg: .*balance/);
    // 2 DS1 records (201, 207) give 2 different hold-outs of one record: at most 2 folds.
    expect(() => checkEcgSettings({ records: [201, 207, 232], holdout: { count: 1 }, folds: 2 })).not.toThrow();
    expect(() => validateSpecNames(spec(',"ecg":{"records":[201,207,232],"holdout":{"count":1},"folds":3}'))).toThrow(
      /^ecg\.folds: 3 folds need 3 different hold-outs, but 2 DS1 records give only 2 different hold-outs of 1 record\(s\): lower folds/,
    );
    // 4 DS1 records, hold-outs of 3: 4 different ones.
    expect(() => checkEcgSettings({ records: [201, 207, 208, 223, 232], holdout: { count: 3 }, folds: 5 }, '--ecg ')).toThrow(/^--ecg folds: 5 folds need 5 different hold-outs, but 4 DS1 records give only 4/);
  });
});
