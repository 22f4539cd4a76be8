// Opens a URL in the person's browser (the UI link of `warden serve` and `warden ui`); says so when it cannot.
export async function openBrowser(url: string): Promise<void> {
  const { spawn } = await import('node:child_process');
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`warden: could not open a browser; open ${url} yourself.\n`));
    child.unref();
  } catch {
    process.stderr.write(`warden: could not open a browser; open ${url} yourself.\n`);
  }
}
