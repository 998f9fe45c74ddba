// What a phase cost: CPU ms per process (from /proc) and MongoDB commands (from the server), read
// before and after.
import { cpuDelta, cpuSnapshot } from './cpu.js';
import { type CommandCounts, commandDelta, type MongoOps } from './mongo-ops.js';
import { round } from './stats.js';

export interface Cost {
  cpuMs: Record<string, number>;
  mongoCommands: CommandCounts | undefined;
}

export async function meter(pids: Record<string, number>, mongo?: MongoOps): Promise<{ stop(): Promise<Cost> }> {
  const mongoBefore = await mongo?.snapshot();
  const cpuBefore = cpuSnapshot(pids);
  return {
    async stop() {
      const cpu = cpuDelta(cpuBefore, cpuSnapshot(pids));
      const mongoAfter = await mongo?.snapshot();
      return {
        cpuMs: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, round(v, 0)])),
        mongoCommands: mongoBefore && mongoAfter ? commandDelta(mongoBefore, mongoAfter) : undefined,
      };
    },
  };
}

/** CPU ms per unit for each process, plus `total` over the processes named in `sum`. */
export function perUnit(cpuMs: Record<string, number>, units: number, sum: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(cpuMs)) out[k] = round(v / units, 2);
  out.total = round(sum.reduce((acc, k) => acc + (cpuMs[k] ?? 0), 0) / units, 2);
  return out;
}
