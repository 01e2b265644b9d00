import type { ESLint } from 'eslint';

export const LAYERS: string[][];
export function areaOf(file: string, root?: string): string | null;
export function areaGraph(root?: string): Map<string, Map<string, string>>;
export function chain(graph: Map<string, Map<string, string>>, start: string, goal: string): string[] | null;
declare const plugin: ESLint.Plugin;
export default plugin;
