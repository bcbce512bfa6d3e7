// Entry point of the `peregrine` command (bin/peregrine.js): runs the command line with the
// process's arguments and streams. Everything else is in app.ts, so tests can run it in-process.
import { runCli } from './app.js';

// A closed pipe on stdout (`peregrine --list | head`) ends the command quietly, as for other
// Unix tools, instead of an unhandled EPIPE error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

process.exitCode = await runCli(process.argv.slice(2));
