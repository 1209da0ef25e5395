/**
 * Runs `work` every `seconds` in the server process (0: never), one run at a time: a tick while
 * the last run is still going is skipped. Returns the function that stops it, after the run in
 * progress, if any, has ended. `work` reports its own outcome; a rejection goes to `failed`.
 */
export function every(seconds: number, work: () => Promise<void>, failed: (error: unknown) => void): () => Promise<void> {
  if (seconds <= 0) return async () => undefined;
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    running ??= work()
      .catch(failed)
      .then(() => {
        running = null;
      });
  }, seconds * 1000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
