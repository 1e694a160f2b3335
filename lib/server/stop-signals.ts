// SIGTERM and SIGINT start one graceful stop. A second signal must not cut it short: `npm start`
// forwards to the bridge what a terminal (Ctrl-C) or a supervisor already sent to the whole process
// group, so the bridge receives the same signal twice; the stop under way ends within
// SHUTDOWN_TIMEOUT anyway.

/** Calls `stop` on the first SIGTERM or SIGINT and ignores the ones after; answers the un-registration. */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    stop(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
