/** What the adapter tests share: the error a call is expected to fail with. */
import { AppError } from '../../platform/errors.ts';
import { CallbackRejected } from './contract.ts';

async function thrown<E>(p: Promise<unknown> | unknown, kind: abstract new (...args: never[]) => E, name: string): Promise<E> {
  try {
    await p;
  } catch (err) {
    if (err instanceof kind) return err;
    throw err;
  }
  throw new Error(`expected ${name}`);
}

/** The CallbackRejected a callback is refused with. */
export const rejection = (p: Promise<unknown> | unknown): Promise<CallbackRejected> => thrown(p, CallbackRejected, 'CallbackRejected');

/** The AppError a call fails with. */
export const appError = (p: Promise<unknown>): Promise<AppError> => thrown(p, AppError, 'AppError');
