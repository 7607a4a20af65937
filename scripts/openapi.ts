import fs from 'node:fs';
import path from 'node:path';
import { generateOpenApi } from '../src/platform/http/openapi.ts';

/** Writes docs/openapi.json, the committed API contract (a test fails when it drifts from the code). */
const file = path.resolve(import.meta.dirname, '..', 'docs', 'openapi.json');
fs.writeFileSync(file, await generateOpenApi());
console.log(`wrote ${path.relative(process.cwd(), file)}`);
