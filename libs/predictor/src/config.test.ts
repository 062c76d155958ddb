import { describe, expect, it } from 'vitest';
import { mergeOverrides, SEARCH_SCHEDULE, variantConfig } from './config';

describe('search schedule', () => {
  it('patches only the fields given, keeping nested sections of both sides', () => {
    const merged = mergeOverrides(SEARCH_SCHEDULE, { encoder: { hidden: 8 }, finetune: { epochs: 3 }, pretrain: { augment: { dropEdge: 0.5 } } });
    const cfg = variantConfig('dcl', merged);
    expect(cfg.encoder.hidden).toBe(8);
    expect(cfg.finetune.epochs).toBe(3);
    expect(cfg.finetune.ensemble).toBe(SEARCH_SCHEDULE.finetune?.ensemble);
    expect(cfg.finetune.refreshEpochs).toBe(SEARCH_SCHEDULE.finetune?.refreshEpochs);
    expect(cfg.pretrain.augment.dropEdge).toBe(0.5);
    expect(cfg.pretrain.augment.substituteOp).toBe(variantConfig('dcl').pretrain.augment.substituteOp);
    expect(cfg.prune).toBe(true);
  });

  it('leaves the regression variant its MSE loss', () => {
    expect(variantConfig('regression', mergeOverrides(SEARCH_SCHEDULE)).finetune.loss).toBe('mse');
  });
});
