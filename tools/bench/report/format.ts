/** How the report writes numbers, durations, ratios and sizes. */

export const n = (v: number) => v.toLocaleString('en-US');
export const s1 = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1_000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
export const x = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '-');
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB (${n(bytes)} bytes)`;
export const unique = (v: string, i: number, a: string[]) => a.indexOf(v) === i;
