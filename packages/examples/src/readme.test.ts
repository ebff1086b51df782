import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every ```ts block of the README runs here, so the examples people copy keep working.
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = fileURLToPath(new URL('../.readme-snippets/', import.meta.url));

describe('README examples', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });
  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs`, async () => {
      mkdirSync(dir, { recursive: true });
      const file = `${dir}snippet${i + 1}.ts`;
      writeFileSync(file, `${code}\nexport const __ran = true;\n`);
      const mod = await import(/* @vite-ignore */ file);
      expect(mod.__ran).toBe(true);
    });
  });
});
