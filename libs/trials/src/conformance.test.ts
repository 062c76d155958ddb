import { registerTrialConformance } from './conformance.test-helper';
import { runTrialCommand } from './run-trial';

registerTrialConformance(runTrialCommand, { name: 'runTrialCommand: trial protocol v1 conformance' });
