import { penaltyClassProbes } from '../security/matrix/billing-penalties.ts';
import { engine } from '../support/db.ts';
import { describeProbes } from '../usage/probe-runner.ts';

describeProbes(`penalty classes: roles × actions × tenants (${engine})`, 'billing', penaltyClassProbes);
