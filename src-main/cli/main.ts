// The `warden` command. `warden connect` is launched by clients for every session, so it loads only the
// bridge; everything else goes through the full command line in program.ts.
const [command, ...rest] = process.argv.slice(2);
if (command === 'connect' && !rest.some((a) => a === '-h' || a === '--help')) {
  const { connectFromArgv } = await import('./commands/connect.js');
  await connectFromArgv(rest);
} else {
  const { buildProgram } = await import('./program.js');
  await (await buildProgram(process.argv)).parseAsync(process.argv);
}
