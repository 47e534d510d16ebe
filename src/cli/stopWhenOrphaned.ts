/**
 * Sends this process SIGTERM (the services' clean stop) once its parent goes away, when it runs under npm's `exec`
 * wrapper (`npx`, `npm exec`: npm sets `npm_command=exec`). `npx verity node serve &` runs verity under `npm exec`
 * and `sh -c`; `kill %1` in a script ends npm but not its child, which used to keep serving (and holding its port and
 * database) under init. An orphan is re-parented, so `process.ppid` changes: checked every `intervalMs`.
 *
 * Started any other way (`nohup verity node serve &`, `setsid`, a process manager), an orphan is what the operator
 * asked for, and nothing is watched. Returns a function that stops watching; the timer never keeps the process alive
 * by itself.
 */
export function stopWhenOrphaned(intervalMs = 1_000, environment: NodeJS.ProcessEnv = process.env): () => void {
  if (environment.npm_command !== "exec") return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    process.kill(process.pid, "SIGTERM");
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
