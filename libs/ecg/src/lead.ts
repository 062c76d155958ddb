import { UserError } from '@dcl-enas/common';
import type { WfdbHeader } from '@dcl-enas/wfdb';

/**
 * Index of the signal recording `lead`, found by the header's signal description (MLII is the
 * first signal in most MIT-BIH records but the second in record 114).
 */
export function findLead(header: WfdbHeader, lead: string): number {
  const index = header.signals.findIndex((s) => s.description.trim().toUpperCase() === lead.toUpperCase());
  if (index < 0) {
    const leads = header.signals.map((s) => s.description).join(', ');
    throw new UserError(`${header.file}: record ${header.record} has no ${lead} lead (its signals are ${leads}); leave this record out or choose another lead`);
  }
  return index;
}
