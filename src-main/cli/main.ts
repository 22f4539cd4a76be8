// The `warden` command. `warden connect` is launched by clients for every session, so it loads only the
// bridge; everything else goes through the full command line in program.ts.
// A reader that stops early (`warden status | head -1`) closes the pipe: what is left to print is
// dropped and the command ends as it would (for `serve`: keeps running, and stops cleanly later),
// instead of dying on an unhandled EPIPE with a stack trace (and, for `serve`, its lock left behind).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}
const [command, ...rest] = process.argv.slice(2);
if (command === 'connect' && !rest.some((a) => a === '-h' || a === '--help')) {
  const { connectFromArgv } = await import('./commands/connect.js');
  await connectFromArgv(rest);
} else {
  const { buildProgram } = await import('./program.js');
  await (await buildProgram(process.argv)).parseAsync(process.argv);
}
