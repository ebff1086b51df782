import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every ```ts block of the README runs here, so the examples people copy keep working.
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = fileURLToPath(new URL('../.readme-snippets/', import.meta.url));

/**
 * A README block written as a vitest test (`it('…', () => { … })`) runs here as a script: `it` and
 * `test` become functions that call their body at once (vitest's `expect` stays the real one).
 */
function asScript(code: string): string {
  return code.replace(/import \{([^}]*)\} from 'vitest';/, (_m, names: string) => {
    const kept = names.split(',').map((n) => n.trim()).filter((n) => n !== '' && n !== 'it' && n !== 'test');
    const shim = 'const it = (_name: string, a: unknown, b?: unknown) => ((typeof a === "function" ? a : b) as () => unknown)();\nconst test = it;';
    return `${kept.length > 0 ? `import { ${kept.join(', ')} } from 'vitest';\n` : ''}${shim}`;
  });
}

describe('README examples', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });
  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs`, async () => {
      mkdirSync(dir, { recursive: true });
      const file = `${dir}snippet${i + 1}.ts`;
      writeFileSync(file, `${asScript(code)}\nexport const __ran = true;\n`);
      const mod = await import(/* @vite-ignore */ file);
      expect(mod.__ran).toBe(true);
    });
  });
});
