// Entry point of the `peregrine` command (bin/peregrine.js): runs the command line with the
// process's arguments and streams. Everything else is in app.ts, so tests can run it in-process.
import { runCli } from './app.js';

process.exitCode = await runCli(process.argv.slice(2));
