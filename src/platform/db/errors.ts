/** True for errors that mean "the database is not reachable right now", not "the query is wrong". */
export function isConnectionError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { code?: string; message?: string };
  const code = e.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN'].includes(code)) return true;
  // Class 08: connection exception; 57P01-57P03: server shutting down / cannot connect now.
  if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) return true;
  const m = e.message ?? '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|terminating connection/i.test(m);
}
