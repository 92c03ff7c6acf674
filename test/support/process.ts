import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './world.js';

export type BotProcess = { child: ChildProcess; output(): string; kill(signal?: NodeJS.Signals): Promise<number | null> };

/** Runs `npm start` as its own process group, the way a founder starts Cashin. */
export async function startBot(env: Record<string, string>, port: number, readyPath = '/healthz'): Promise<BotProcess> {
  const child = spawn('npm', ['start', '--silent'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.pid) {
      try { process.kill(-child.pid, signal); } catch { /* already gone */ }
    }
    return exited;
  };
  try {
    await waitFor(`bot ${readyPath}`, async () => {
      if (child.exitCode !== null) throw new Error(`bot exited with ${child.exitCode}:\n${output}`);
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`).catch(() => null);
      return res?.status === 200;
    }, 30_000);
  } catch (error) {
    await kill('SIGKILL');
    throw new Error(`${String(error)}\n--- bot output ---\n${output}`);
  }
  return { child, output: () => output, kill };
}

/** Runs `npm <args>` to completion with only `env` (plus PATH and HOME), returning its exit code and output. */
export function runNpm(args: string[], env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['--silent', ...args], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
    child.on('exit', (code) => resolve({ code, output }));
  });
}
