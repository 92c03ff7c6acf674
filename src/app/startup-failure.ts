/** The one line a founder reads when Cashin cannot start: what went wrong, and what to do. */

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export function startupFailure(error: unknown, port: number): string {
  const code = errorCode(error);
  if (code === 'EADDRINUSE') {
    return `port ${port} is already in use (another Cashin, or another program). If it is another Cashin, stop it: two at once would both post cards. Otherwise choose a free port: PORT=${port + 1} npm start.`;
  }
  if (code === 'EACCES') {
    return `this user may not listen on port ${port}. Choose a port above 1023, e.g. PORT=3000.`;
  }
  return error instanceof Error ? error.message : String(error);
}
