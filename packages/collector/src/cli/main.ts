import { runCli } from './run-cli.js';

// The process entry: wires runCli to the real stdio, environment and signals.
const stop = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  stopSignal: stop,
});
process.exitCode = code;
// Follow streams and the server keep handles open; once the command is done, leave.
if (process.argv[2] !== 'serve') process.exit(code);
