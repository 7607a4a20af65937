import { engine } from '../support/db.ts';
import { usageProbes } from '../security/matrix/usage.ts';
import { describeProbes } from './probe-runner.ts';

describeProbes(`usage records: roles × actions × tenants (${engine})`, 'subscriptions', usageProbes);
