#!/usr/bin/env node
// The `uplink` command. The sources are TypeScript, run as they are through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/index.ts');
