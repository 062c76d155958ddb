import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UserError } from '@dcl-enas/common';
import { LIMITS } from '@dcl-enas/contracts';
import { builtInProblemNames, spaceOfDocument, spaceReport, type SpaceReport } from '@dcl-enas/experiments';
import { readInputFile } from '../io';
import { sampleCount, seed } from '../options';

interface CheckFlags {
  json?: boolean;
  samples: number;
  seed: number;
}

export function registerSpace(program: Command): void {
  const space = program.command('space').description('search spaces: built-in ones and those you declare (docs/spaces.md)');
  space
    .command('check')
    .description('check a space (from an experiment spec, a space file, or a built-in name) and print its type, size and a few samples')
    .argument('<file>', 'YAML/JSON experiment spec or space definition, or a built-in space name (nb201, nb101, ecg)')
    .option('--json', 'print exactly one JSON object: {type, size, samples: [{arch, key, graph: {ops, edges}}]}')
    .option('--samples <n>', 'samples to draw (1..100)', sampleCount, 3)
    .option('--seed <s>', 'seed of the samples', seed, 0)
    .action((file: string, flags: CheckFlags) => {
      const report = spaceReport(spaceArgument(file), { samples: flags.samples, seed: flags.seed });
      process.stdout.write(flags.json ? JSON.stringify({ name: report.name, type: report.type, size: report.size, samples: report.samples }) + '\n' : text(report));
    });
}

function spaceArgument(file: string): ReturnType<typeof spaceOfDocument> {
  if (!existsSync(file) && builtInProblemNames().includes(file)) return file;
  const fix = `give a YAML/JSON experiment spec or space definition (docs/spaces.md), or one of ${builtInProblemNames().join(', ')}`;
  const source = readInputFile(file, 'space check', LIMITS.specBytes, fix);
  let doc: unknown;
  try {
    doc = parseYaml(source);
  } catch (e) {
    throw new UserError(`${file} is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  return spaceOfDocument(doc, file);
}

function text(r: SpaceReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const size = r.size !== null ? `${n(r.size)} distinct architectures` : r.architectures !== null ? `${n(r.architectures)} cells (too many to count the distinct ones)` : 'too large to count';
  const lines = [`${r.name}: type ${r.type}, ${size}`, ...r.samples.flatMap((s, i) => [`sample ${i + 1}  ${s.arch}`, `          key ${s.key}`, `          graph ${s.graph.ops.length} nodes, ${s.graph.edges.length} edges`])];
  return lines.join('\n') + '\n';
}
