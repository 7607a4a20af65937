import type { TestProject } from 'vitest/node';
import { buildPgliteTemplate, buildServerTemplate, dropStaleTestDatabases } from './template.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    serverTemplate: string;
  }
}

/** Migrates one template database per engine; each test file clones it (seconds → milliseconds). */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (url) {
    try {
      await dropStaleTestDatabases(url);
      project.provide('serverTemplate', await buildServerTemplate(url));
    } catch (err) {
      throw new Error(`DATABASE_URL is set but the PostgreSQL server cannot be used: ${(err as Error).message}`);
    }
  } else {
    project.provide('serverTemplate', '');
  }
  project.provide('pgliteTemplate', await buildPgliteTemplate());
}
