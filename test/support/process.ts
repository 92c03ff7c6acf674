import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './world.js';

export type BotProcess = { child: ChildProcess; output(): string; kill(signal?: NodeJS.Signals): Promise<number | null> };

type Spawned = { child: ChildProcess; output(): string; exited: Promise<number | null> };

/** A command with only `env` (plus PATH and HOME), its output collected and its exit awaited. */
function spawnWith(command: string, args: string[], env: Record<string, string>, options: { detached: boolean; cwd?: string }): Spawned {
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    detached: options.detached,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  // 'close', not 'exit': it comes after the output pipes have drained.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

function spawnNpm(args: string[], env: Record<string, string>, detached: boolean): Spawned {
  return spawnWith('npm', ['--silent', ...args], env, { detached });
}

/** Runs `npm start` as its own process group, the way a founder starts Cashin. */
export async function startBot(env: Record<string, string>, port: number, readyPath = '/healthz'): Promise<BotProcess> {
  return waitUntilServing(spawnNpm(['start'], env, true), port, readyPath);
}

/** Runs `node dist/main.js` in `cwd`, the way the Docker image starts Cashin. */
export async function startBuilt(cwd: string, env: Record<string, string>, port: number, readyPath = '/healthz'): Promise<BotProcess> {
  return waitUntilServing(spawnWith('node', ['dist/main.js'], env, { detached: true, cwd }), port, readyPath);
}

async function waitUntilServing({ child, output, exited }: Spawned, port: number, readyPath: string): Promise<BotProcess> {
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.pid) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    }
    return exited;
  };
  try {
    await waitFor(
      `bot ${readyPath}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`bot exited with ${child.exitCode}:\n${output()}`);
        const res = await fetch(`http://127.0.0.1:${port}${readyPath}`).catch(() => null);
        return res?.status === 200;
      },
      30_000,
    );
  } catch (error) {
    await kill('SIGKILL');
    throw new Error(`${String(error)}\n--- bot output ---\n${output()}`);
  }
  return { child, output, kill };
}

/** Runs `node dist/main.js` in `cwd` to completion, returning its exit code and output. */
export async function runNode(cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const { output, exited } = spawnWith('node', ['dist/main.js'], env, { detached: false, cwd });
  const code = await exited;
  return { code, output: output() };
}

/** Runs `npm <args>` to completion, returning its exit code and output. */
export async function runNpm(args: string[], env: Record<string, string>, cwd?: string): Promise<{ code: number | null; output: string }> {
  const { output, exited } = spawnWith('npm', ['--silent', ...args], env, { detached: false, ...(cwd ? { cwd } : {}) });
  const code = await exited;
  return { code, output: output() };
}
