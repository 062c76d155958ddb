/**
 * The inter-patient split of de Chazal, O'Dwyer and Reilly (IEEE TBME 51(7), 2004), as listed in
 * the mitdb data README. The paced records are left out of both halves.
 */
export const DS1_RECORDS: readonly number[] = [
  101, 106, 108, 109, 112, 114, 115, 116, 118, 119, 122, 124, 201, 203, 205, 207, 208, 209, 215, 220, 223, 230,
];
export const DS2_RECORDS: readonly number[] = [
  100, 103, 105, 111, 113, 117, 121, 123, 200, 202, 210, 212, 213, 214, 219, 221, 222, 228, 231, 232, 233, 234,
];
export const PACED_RECORDS: readonly number[] = [102, 104, 107, 217];

/** The 44 records the beat data set is built from (DS1 then DS2). */
export const NON_PACED_RECORDS: readonly number[] = [...DS1_RECORDS, ...DS2_RECORDS];

export type SplitName = 'DS1' | 'DS2' | 'paced';

export function splitOfRecord(record: number): SplitName | null {
  if (DS1_RECORDS.includes(record)) return 'DS1';
  if (DS2_RECORDS.includes(record)) return 'DS2';
  if (PACED_RECORDS.includes(record)) return 'paced';
  return null;
}
