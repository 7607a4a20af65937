import { useCallback, useState, type ChangeEvent, type FormEvent } from 'react';
import { ApiError, newIdempotencyKey } from '../api/client.ts';

/** Plain controlled form state: values plus helpers that wire Mantine inputs. */
export function useFormValues<T extends Record<string, unknown>>(initial: T) {
  const [values, setValues] = useState<T>(initial);
  const set = useCallback(<K extends keyof T>(key: K, value: T[K]) => setValues((v) => ({ ...v, [key]: value })), []);
  const text = (key: { [K in keyof T]: T[K] extends string ? K : never }[keyof T]) => ({
    value: values[key] as string,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => set(key, e.currentTarget.value as T[typeof key]),
  });
  const submit = (handler: (values: T) => void) => (e: FormEvent) => {
    e.preventDefault();
    handler(values);
  };
  return { values, set, setValues, text, submit, reset: () => setValues(initial) };
}

/** The server's message for one field of a failed request, shown beside that field. */
export function fieldError(error: unknown, ...fields: string[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  for (const f of fields) {
    const message = error.fieldMessage(f);
    if (message) return message;
  }
  return undefined;
}

/**
 * One Idempotency-Key per form submission attempt: a double tap resends the same key (the server
 * replays the first answer), and a settled attempt renews it so a corrected form is a new request.
 */
export function useIdempotencyKey(): [string, () => void] {
  const [key, setKey] = useState(newIdempotencyKey);
  return [key, useCallback(() => setKey(newIdempotencyKey()), [])];
}
